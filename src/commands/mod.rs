//! One module per subcommand. Each reuses the stages through `app`; none
//! re-implements loading, rendering or merging.

pub mod doctor;
pub mod endpoint;
pub mod exec;
pub mod generate;
pub mod probe;
pub mod report;
