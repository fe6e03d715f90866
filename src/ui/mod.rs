//! How commands speak to a person, beside the errors (`error`,
//! `diagnostic`): the shape of reports and their format (`report`), a
//! plan and its diff as printed for review (`plans`), and the question
//! before a write (`prompt`).
//! Printing itself goes through `output`.

pub mod plans;
pub mod prompt;
pub mod report;
