//! `codexgen gen`: shows what the catalog changes in the Codex home and
//! writes it (or, with `--diff`/`--check`, only reports). The run is the
//! `pipeline`'s, which `use` runs too; this command adds nothing to it.

pub use crate::pipeline::{Mode, Options};

use crate::diagnostic::Exit;
use crate::error::Error;
use crate::pipeline;
use crate::settings::Settings;

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    pipeline::run(settings, options)
}
