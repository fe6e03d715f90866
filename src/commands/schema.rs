//! `codexgen schema`: prints the catalog's JSON Schema, built from the key
//! tables the catalog checker uses (`catalog::keys`), so an editor flags the
//! same unknown keys and bad values `gen` refuses. Reads no file and no home.

use std::io::Write as _;

use crate::catalog;
use crate::diagnostic::Exit;

pub fn run() -> Exit {
    let text = catalog::json_schema_text();
    // A closed pipe (`codexgen schema | head`) is not an error worth a message.
    let _ = anstream::stdout().write_all(text.as_bytes());
    Exit::Ok
}
