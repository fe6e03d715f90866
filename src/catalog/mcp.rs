//! Owns the typed MCP servers of a catalog (`mcp_servers:`), as the
//! templates write them into `[mcp_servers.<id>]` of config.toml. The keys
//! are `keys::MCP_SERVER`'s; `build` checks them. A value Codex drops when
//! it rewrites the file (`codex mcp add` rewrites every MCP entry: a
//! default such as `enabled = true`, an empty list) is not held, and
//! seconds are floats, as Codex writes them back: the file stays in sync
//! after Codex rewrote it.

use serde::Serialize;

use super::Pairs;

/// One `[mcp_servers.<id>]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct McpServer {
    pub id: String,
    /// Its `key = value` lines, in the key table's order.
    pub keys: Vec<(&'static str, McpValue)>,
    /// `[mcp_servers.<id>.oauth]`: the keys set, in the key table's order.
    pub oauth: Vec<(&'static str, McpValue)>,
    /// `[mcp_servers.<id>.tools.<name>]`: per tool, its keys.
    pub tools: Vec<(String, Vec<(&'static str, McpValue)>)>,
}

impl McpServer {
    /// Its value of `key`, when the catalog writes one.
    pub fn value(&self, key: &str) -> Option<&McpValue> {
        self.keys.iter().find_map(|(k, v)| (*k == key).then_some(v))
    }

    /// Its text value of `key` (`command`, `url`, `cwd`, ...).
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.value(key) {
            Some(McpValue::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Whether Codex starts it (`enabled: false` is the only way off).
    pub fn enabled(&self) -> bool {
        self.value("enabled") != Some(&McpValue::Bool(false))
    }

    /// Whether Codex refuses to start without it.
    pub fn required(&self) -> bool {
        self.value("required") == Some(&McpValue::Bool(true))
    }

    /// The variables it names, each with the key that names it, in the
    /// key table's order (`env_vars`, `bearer_token_env_var`,
    /// `env_http_headers`).
    pub fn variables(&self) -> Vec<(&str, &'static str)> {
        let mut out = Vec::new();
        for (key, value) in &self.keys {
            match (*key, value) {
                ("bearer_token_env_var", McpValue::Text(var)) => out.push((var.as_str(), *key)),
                ("env_vars", McpValue::List(vars)) => {
                    out.extend(vars.iter().map(|v| (v.as_str(), *key)));
                }
                ("env_http_headers", McpValue::Pairs(pairs)) => {
                    out.extend(pairs.0.iter().map(|(_, v)| (v.as_str(), *key)));
                }
                _ => {}
            }
        }
        out
    }
}

/// One value of an MCP server's table, as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum McpValue {
    Text(String),
    Bool(bool),
    Number(i64),
    /// Seconds: always a float, as Codex writes them.
    Seconds(f64),
    List(Vec<String>),
    Pairs(Pairs),
}

/// Keys and values as a map, in order.
struct Ordered<'s, K: Serialize>(&'s [(K, McpValue)]);

impl<K: Serialize> Serialize for Ordered<'_, K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl Serialize for McpServer {
    /// `id`, its keys by name (`s.command`), `keys` (in order, for a
    /// loop), `oauth` (a map, empty when unset) and `tools` (name -> map).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        struct Tools<'s>(&'s [(String, Vec<(&'static str, McpValue)>)]);
        impl Serialize for Tools<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0.iter().map(|(k, v)| (k, Ordered(v))))
            }
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        for (key, value) in &self.keys {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("keys", &Ordered(&self.keys))?;
        map.serialize_entry("oauth", &Ordered(&self.oauth))?;
        map.serialize_entry("tools", &Tools(&self.tools))?;
        map.end()
    }
}
