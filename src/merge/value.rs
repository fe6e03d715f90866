//! Owns value equality for merging: a value's canonical form (one line of
//! TOML, as managed values are recorded and shown), and whether two items hold
//! the same data however they are written (`'a'` and `"a"`, an inline map and
//! the same map spelled as a table, an MCP server's `30` and `30.0`). Pure;
//! does not edit a document (that is [`super::tree`]) or decide what is
//! codexgen's (that is [`super`]).

use toml_edit::{Item, Value};

use super::Managed;

/// The value as one line of TOML, without comments or surrounding space:
/// how a managed value is recorded and shown.
pub(crate) fn canonical(item: &Item) -> String {
    match item {
        Item::Value(v) => {
            let mut v = v.clone();
            strip(&mut v);
            v.to_string()
        }
        other => other.to_string().trim().to_owned(),
    }
}

/// Clears a value's decor, and that of every value inside it.
fn strip(value: &mut Value) {
    value.decor_mut().clear();
    match value {
        Value::Array(a) => {
            a.iter_mut().for_each(strip);
            a.fmt();
        }
        Value::InlineTable(t) => {
            t.iter_mut().for_each(|(_, v)| strip(v));
            t.fmt();
        }
        _ => {}
    }
}

/// Whether two items hold the same data, however they are written.
pub(super) fn same_item(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::Value(a), Item::Value(b)) => same_value(a, b),
        // A map the catalog renders inline (`query_params = { ... }`) that
        // the file spells as a `[...query_params]` table holds the same
        // values: nothing to change.
        (Item::Table(t), Item::Value(Value::InlineTable(i)))
        | (Item::Value(Value::InlineTable(i)), Item::Table(t)) => {
            t.len() == i.len()
                && t.iter().all(|(k, item)| {
                    item.as_value()
                        .zip(i.get(k))
                        .is_some_and(|(v, w)| same_value(v, w))
                })
        }
        (a, b) => a.to_string() == b.to_string(),
    }
}

/// Whether two values hold the same data: strings by their text, floats
/// bit for bit, arrays in order, inline tables in any order.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        (Value::Datetime(a), Value::Datetime(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_value(a, b))
        }
        (Value::InlineTable(a), Value::InlineTable(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

/// Whether two items are the same number, one whole and one a float
/// (`30` and `30.0`): Codex reads an MCP server's seconds as a float
/// either way, and writes them back as floats.
pub(super) fn same_number(a: &Item, b: &Item) -> bool {
    #[allow(clippy::cast_precision_loss)]
    fn number(item: &Item) -> Option<f64> {
        match item.as_value()? {
            Value::Integer(n) => Some(*n.value() as f64),
            Value::Float(x) => Some(*x.value()),
            _ => None,
        }
    }
    number(a)
        .zip(number(b))
        .is_some_and(|(a, b)| a.to_bits() == b.to_bits())
}

/// A value as the user wrote it: its text without the space and comments
/// around it (those stay on the line whatever value it holds).
pub(super) fn as_written(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

/// Whether `item` holds the value codexgen recorded for its leaf.
pub(super) fn matches_recorded(item: &Item, recorded: &Managed) -> bool {
    recorded
        .value
        .parse::<Value>()
        .is_ok_and(|v| same_item(item, &Item::Value(v)))
}
