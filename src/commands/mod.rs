//! One module per subcommand, each `run(&Settings, &Options)`, and nothing
//! else: what several commands share has a room of its own (`pipeline`,
//! `transaction`, `ui`, `endpoint`, `launch`, `overlay`, `outside`), and no
//! command imports another. They reuse the stages through `plan`; none
//! re-implements loading, rendering or merging, and none sees the command
//! line's clap types.

pub mod add;
pub mod adopt;
pub mod aliases;
pub mod doctor;
pub mod exec;
pub mod generate;
pub mod import;
pub mod init;
pub mod link;
pub mod list;
pub mod manual;
pub mod probe;
pub mod restore;
pub mod schema;
pub mod show;
pub mod use_;
pub mod validate;
