//! How commands speak to a person, beside the errors (`error`,
//! `diagnostic`): the shape of reports and their format (`report`).
//! Printing itself goes through `output`.

pub mod report;
