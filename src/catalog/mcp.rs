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
