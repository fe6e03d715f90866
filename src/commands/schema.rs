//! `codexgen schema`: prints the catalog's JSON Schema, built from the key
//! tables the catalog checker uses (`catalog::keys`), so an editor flags the
//! same unknown keys and bad values `gen` refuses. Reads no file and no home.

use crate::catalog;
use crate::diagnostic::Exit;
use crate::error::Error;
use crate::output::Stdout;

pub fn run() -> Result<Exit, Error> {
    let mut out = Stdout::new("the schema");
    out.print(&catalog::json_schema_text())?;
    out.finish()?;
    Ok(Exit::Ok)
}
