//! Import of the keys codexgen wrote from `unchecked` (keys no key table
//! knows). Such a key in config.toml or a profile file is codexgen's when the
//! home's state (`.codexgen/state.json`) records a leaf codexgen wrote at
//! that path or under it; it then comes back as `unchecked` in the same
//! place (config.toml's top level: `settings.unchecked`; a profile's file or
//! legacy table: that profile's `unchecked`), so `gen` with the imported
//! catalog writes it again instead of removing it. Of a table codexgen wrote
//! into, only the entries it wrote come back; the user's own entries, and
//! every key codexgen did not write, stay the user's (kept, listed).

use toml_edit::{Item, Value};

use super::{Import, Parsed};
use crate::catalog::{Mapping, Plain};
use crate::error::Error;
use crate::home::ProfileName;

/// A value codexgen wrote unchecked, as the catalog's `unchecked` holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Free {
    Plain(Plain),
    Table(Vec<(String, Free)>),
}

/// `entries` as the catalog's `unchecked` mapping, in file order.
pub fn mapping(entries: &[(String, Free)]) -> Mapping {
    let mut m = Mapping::default();
    for (key, value) in entries {
        match value {
            Free::Plain(p) => m.plain(key, p),
            Free::Table(inner) => m.mapping(key, mapping(inner)),
        };
    }
    m
}

impl Import<'_> {
    /// [`Import::written_unchecked`] for key `key` of profile `name`: in its
    /// profile file, or (`legacy`) in its `[profiles.NAME]` table.
    pub(super) fn profile_unchecked(
        &mut self,
        parsed: &Parsed<'_>,
        name: &ProfileName,
        legacy: bool,
        key: &str,
        item: &Item,
    ) -> Result<Option<Free>, Error> {
        let path: Vec<String> = if legacy {
            vec!["profiles".to_owned(), name.to_string(), key.to_owned()]
        } else {
            vec![key.to_owned()]
        };
        self.written_unchecked(parsed, &path, item)
    }

    /// The part of `item`, at `path` in `parsed`'s file, that codexgen
    /// wrote: all of it where the state records `path` as a leaf, the
    /// entries it wrote of a table it wrote into, else `None`. What it did
    /// not write under `path`, or what `unchecked` cannot hold, is kept.
    pub(super) fn written_unchecked(
        &mut self,
        parsed: &Parsed<'_>,
        path: &[String],
        item: &Item,
    ) -> Result<Option<Free>, Error> {
        let shown = path.join(".");
        let leaf = self
            .written
            .iter()
            .any(|(f, p)| *f == parsed.file && p == path);
        if leaf {
            let value = free(parsed, item, &shown)?;
            if value.is_none() {
                self.keep(
                    &parsed.file,
                    format!("{shown} (not a value `unchecked` holds)"),
                );
            }
            return Ok(value);
        }
        let under = self
            .written
            .iter()
            .any(|(f, p)| *f == parsed.file && p.len() > path.len() && p.starts_with(path));
        let Some(table) = item.as_table_like().filter(|_| under) else {
            return Ok(None);
        };
        let mut entries = Vec::new();
        for (key, child) in table.iter() {
            let mut at = path.to_vec();
            at.push(key.to_owned());
            match self.written_unchecked(parsed, &at, child)? {
                Some(value) => entries.push((key.to_owned(), value)),
                None => self.keep(&parsed.file, at.join(".")),
            }
        }
        Ok((!entries.is_empty()).then_some(Free::Table(entries)))
    }
}

/// A TOML value as `unchecked` holds it: text, a whole number, true or
/// false, a list of text, a table of these. `None` for anything else.
fn free(parsed: &Parsed<'_>, item: &Item, path: &str) -> Result<Option<Free>, Error> {
    if let Some(table) = item.as_table_like() {
        let mut entries = Vec::new();
        for (key, child) in table.iter() {
            let at = format!("{path}.{key}");
            parsed.printable(key, child.span(), &at)?;
            match free(parsed, child, &at)? {
                Some(value) => entries.push((key.to_owned(), value)),
                None => return Ok(None),
            }
        }
        return Ok(Some(Free::Table(entries)));
    }
    Ok(match item.as_value() {
        Some(Value::String(_)) => parsed
            .string(item, path)?
            .map(|s| Free::Plain(Plain::Text(s))),
        Some(Value::Integer(n)) => Some(Free::Plain(Plain::Int(*n.value()))),
        Some(Value::Boolean(b)) => Some(Free::Plain(Plain::Bool(*b.value()))),
        Some(Value::Array(_)) => parsed
            .list(item, path)?
            .map(|l| Free::Plain(Plain::List(l))),
        _ => None,
    })
}
