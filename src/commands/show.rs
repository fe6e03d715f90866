//! `codexgen show`: the effective catalog, after every overlay, as YAML
//! (default) or JSON, checked for the target first (an invalid catalog is
//! an error, as for every command). With `--origin`, each value carries the
//! file, line (and in JSON the column) it came from, as `git config
//! --show-origin` does. Owns only the choice of format; the text is the
//! catalog's (`catalog::emit`). Reads no Codex home.

use crate::diagnostic::Exit;
use crate::error::Error;
use crate::settings::Settings;
use crate::ui::report::print_out;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

pub struct Options {
    pub format: Format,
    pub origin: bool,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let effective = settings.catalog.build_effective(&settings.target)?;
    let text = match options.format {
        Format::Yaml => effective.yaml(options.origin),
        Format::Json => effective.json(options.origin) + "\n",
    };
    print_out(&text, "the catalog")?;
    Ok(Exit::Ok)
}
