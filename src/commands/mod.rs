//! One module per subcommand. Each reuses the stages through `app`; none
//! re-implements loading, rendering or merging.

pub mod generate;
