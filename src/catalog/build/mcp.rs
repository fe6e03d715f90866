//! Checks the catalog's `mcp_servers:` against `keys::MCP_SERVER` (and its
//! `oauth` and `tools` tables): one transport per server, the keys of that
//! transport only, each key and value from the release that reads it, and
//! secrets only by reference. A literal secret anywhere (`env`,
//! `http_headers`, `args`, an inline `bearer_token`, `oauth.client_secret`),
//! by the rule the redactor hides one with (`secrets::holds_credential`,
//! and `credential_in_args` for a secret-named flag's value), is refused
//! with the Codex way to name a variable instead, and so is the `${VAR}` /
//! `$VAR` / `%VAR%` / `{env:VAR}` syntax of other agents and shells in
//! every text key, which Codex uses as written. A timeout is bounded by
//! `keys::MAX_SECONDS`. What Codex drops when it rewrites the file (a default value,
//! an empty list) is not written.

use super::super::keys::{self, KeyDoc, Kind, Secret};
use super::super::yaml::{Key, Node, Value};
use super::super::{McpServer, McpValue, Pairs, Setting};
use super::{Builder, Fields, PairKind, is_env_name};
use crate::diagnostic::Code;
use crate::secrets::{credential_in_args, holds_credential, is_credential_name, looks_like_secret};

/// The values Codex leaves out when it rewrites an MCP entry: written,
/// they would come back as drift after `codex mcp add`.
const DEFAULTS: &[(&str, bool)] = &[("enabled", true), ("required", false)];

/// The variable's name at the start of `rest`, if one is there.
fn env_name(rest: &str) -> Option<&str> {
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Whether `text` names a variable the way other agents or a shell expand
/// it (`${VAR}`, `$VAR`, `%VAR%`, `{env:VAR}`): Codex does not, and passes
/// or sends it as written. `$` before a lower-case word, a digit or
/// nothing (`^a$b`, `$5`) and `%` around anything but a variable's name
/// (`100%`) are text: a regex or a price in `args` is no variable.
pub fn expands_a_variable(text: &str) -> bool {
    variable_in(text).is_some()
}

/// The variable `text` names in one of the forms of [`expands_a_variable`]:
/// `{env:VAR}` first, then `${VAR}`, `$VAR`, `%VAR%`.
fn variable_in(text: &str) -> Option<&str> {
    if let Some(i) = text.find("{env:") {
        return Some(env_name(&text[i + 5..]).unwrap_or("NAME"));
    }
    let dollars = || text.match_indices('$').map(|(i, _)| &text[i + 1..]);
    let braced = dollars().find_map(|rest| env_name(rest.strip_prefix('{')?));
    let bare = || {
        dollars()
            .filter(|rest| !rest.starts_with('{'))
            .find_map(|rest| env_name(rest).filter(|n| !n.bytes().any(|b| b.is_ascii_lowercase())))
    };
    let percent = || {
        let parts: Vec<&str> = text.split('%').skip(1).collect();
        let closed = parts.len().saturating_sub(1);
        parts[..closed]
            .iter()
            .copied()
            .find(|part| env_name(part).is_some_and(|n| n.len() == part.len()))
    };
    braced.or_else(bare).or_else(percent)
}

impl Builder<'_> {
    /// The catalog's MCP servers, in catalog order.
    pub(super) fn mcp_servers(&mut self, node: Option<&Node>) -> Vec<McpServer> {
        let Some(node) = node.filter(|n| !matches!(n.value, Value::Null)) else {
            return Vec::new();
        };
        let Some(f) = self.fields(node, "`mcp_servers`".to_owned(), &[]) else {
            return Vec::new();
        };
        f.entries
            .iter()
            .filter_map(|(key, value)| self.mcp_server(key, value))
            .collect()
    }

    fn mcp_server(&mut self, key: &Key, node: &Node) -> Option<McpServer> {
        let id = key.name.clone();
        let id_ok = self.id(key, "MCP server id", false);
        let what = format!("MCP server `{id}`");
        let mut f = self.fields(node, what.clone(), keys::MCP_SERVER)?;
        let stdio = self.mcp_transport(&f, key, &what)?;
        for (k, first) in keys::gated(keys::MCP_SERVER) {
            self.needs_codex(&f, k, first, &what);
        }
        let mut values = Vec::new();
        let mut oauth = Vec::new();
        let mut tools = Vec::new();
        for k in keys::MCP_SERVER {
            let Some(node) = f.take(k.name) else {
                continue;
            };
            let field = format!("`{}` of {what}", k.name);
            let value = match k.kind {
                Kind::Table(_, table) => {
                    oauth = self.mcp_table(node, &format!("`{}` of {what}", k.name), table)?;
                    continue;
                }
                Kind::MapOf(_, table) => {
                    tools = self.mcp_tools(node, &what, table);
                    continue;
                }
                Kind::Refused => {
                    self.mcp_refused(node, k, &what);
                    continue;
                }
                _ => self.mcp_value(k, node, &field, stdio),
            };
            let Some(value) = value else { continue };
            let default = DEFAULTS
                .iter()
                .any(|(name, d)| *name == k.name && value == McpValue::Bool(*d));
            let empty = matches!(&value, McpValue::List(l) if l.is_empty())
                || matches!(&value, McpValue::Pairs(p) if p.0.is_empty());
            if empty && k.name == "enabled_tools" {
                self.error(
                    Code::EmptyValue,
                    node.pos,
                    format!("{field} is empty"),
                    "Codex drops an empty list when it rewrites the file (`codex mcp add`), and then offers every tool",
                    "list the tools to offer, or switch them off with `disabled_tools:` (or the server with `enabled: false`)",
                );
                continue;
            }
            if !default && !empty {
                values.push((k.name, value));
            }
        }
        self.finish(&f, "");
        if !id_ok {
            return None;
        }
        Some(McpServer {
            id,
            keys: values,
            oauth,
            tools,
        })
    }

    /// `profiles.NAME.mcp_servers`: per catalog server, what the profile
    /// changes, each written with the server's transport key (`command` or
    /// `url`, the catalog's value): Codex merges the profile file's table
    /// key by key over config.toml's (measured on 0.171.0), but
    /// `codex --strict-config -p NAME` checks the file alone and refuses a
    /// server without one ("invalid transport"). A server the catalog does
    /// not have is refused: Codex refuses it the same way.
    pub(super) fn mcp_in_profile(&mut self, node: &Node, what: &str) -> Vec<McpServer> {
        let Some(f) = self.fields(node, format!("`mcp_servers` of {what}"), &[]) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, server) in f.entries {
            let Some(team) = self.mcp.iter().find(|s| s.id == key.name).cloned() else {
                self.mcp_not_in_catalog(key, what);
                continue;
            };
            let owner = format!("MCP server `{}` in {what}", key.name);
            let Some(mut t) = self.fields(server, owner.clone(), keys::MCP_PROFILE_SERVER) else {
                continue;
            };
            for (k, first) in keys::gated(keys::MCP_PROFILE_SERVER) {
                self.needs_codex(&t, k, first, &owner);
            }
            let stdio = team.keys.iter().any(|(k, _)| *k == "command");
            let transport = if stdio { "command" } else { "url" };
            let mut values: Vec<(&'static str, McpValue)> = team
                .keys
                .iter()
                .filter(|(k, _)| *k == transport)
                .cloned()
                .collect();
            let mut tools = Vec::new();
            for k in keys::MCP_PROFILE_SERVER {
                let Some(node) = t.take(k.name) else {
                    continue;
                };
                let field = format!("`{}` of {owner}", k.name);
                if let Kind::MapOf(_, table) = k.kind {
                    tools = self.mcp_tools(node, &owner, table);
                } else if let Some(value) = self.mcp_value(k, node, &field, stdio) {
                    values.push((k.name, value));
                }
            }
            self.finish(&t, "");
            out.push(McpServer {
                id: team.id,
                keys: values,
                oauth: Vec::new(),
                tools,
            });
        }
        out
    }

    /// A profile changes an MCP server the catalog does not have (or an
    /// overlay removed): refused, at the `~` when one removed it.
    fn mcp_not_in_catalog(&mut self, key: &Key, what: &str) {
        let id = &key.name;
        let message = format!("{what} changes MCP server `{id}`, which the catalog does not have");
        if let Some(removal) = self.removal(&["mcp_servers", id]) {
            let pos = removal.pos;
            let file = self.sources[pos.file].name.clone();
            self.error(
                Code::MissingKey,
                pos,
                format!("{file} removes MCP server `{id}`, which {what} changes"),
                "removed here",
                format!("drop this `~` line to keep the server, or also remove `mcp_servers: {{{id}: ...}}` from the profile"),
            );
            return;
        }
        let ids: Vec<&str> = self.mcp.iter().map(|s| s.id.as_str()).collect();
        let label = crate::diagnostic::did_you_mean(id, ids.iter().copied()).map_or_else(
            || "not an MCP server of the catalog".to_owned(),
            |s| format!("did you mean `{s}`?"),
        );
        self.error(
            Code::MissingKey,
            key.pos,
            message,
            label,
            "define the server under the catalog's `mcp_servers:`: a profile only changes a team server (Codex refuses a profile file's server that has no `command` or `url`)",
        );
    }

    /// Which transport a server has (`Some(true)`: stdio), refusing a
    /// server with none or both, and the keys of the other one.
    fn mcp_transport(&mut self, f: &Fields<'_>, key: &Key, what: &str) -> Option<bool> {
        let stdio = match (f.key_pos("command"), f.key_pos("url")) {
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(_), Some(pos)) => {
                self.error(
                    Code::KeySources,
                    pos,
                    format!("{what} has both `command` and `url`"),
                    "Codex refuses a server with two transports",
                    "keep one: `command` or `url` (a stdio server or a streamable HTTP one)",
                );
                return None;
            }
            (None, None) => {
                self.missing(
                    &["mcp_servers", &key.name, "command"],
                    key.pos,
                    format!("{what} has neither `command` nor `url`"),
                    "add `command` or `url`",
                    "a stdio server has `command` (and `args`); a streamable HTTP server has `url`",
                );
                return None;
            }
        };
        let (other, other_name, own) = if stdio {
            (keys::MCP_HTTP, "streamable HTTP", "stdio")
        } else {
            (keys::MCP_STDIO, "stdio", "streamable HTTP")
        };
        let mut ok = true;
        for (k, _) in f.entries {
            if !other.contains(&k.name.as_str()) || matches!(k.name.as_str(), "command" | "url") {
                continue;
            }
            ok = false;
            self.error(
                Code::UnsupportedKey,
                k.pos,
                format!("`{}` of {what} is for a {other_name} server", k.name),
                format!(
                    "Codex refuses it on a {own} server (`{}` is not supported)",
                    k.name
                ),
                format!(
                    "remove it; {own} keys: {}",
                    if stdio {
                        keys::MCP_STDIO
                    } else {
                        keys::MCP_HTTP
                    }
                    .iter()
                    .filter(|n| **n != "bearer_token")
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
                ),
            );
        }
        ok.then_some(stdio)
    }

    /// One value of a server's table by its kind.
    fn mcp_value(&mut self, k: &KeyDoc, node: &Node, field: &str, stdio: bool) -> Option<McpValue> {
        match k.kind {
            Kind::Text => {
                let text = self.mcp_text(node, field, stdio)?;
                if text.trim().is_empty() {
                    self.error(
                        Code::EmptyValue,
                        node.pos,
                        format!("{field} is empty"),
                        "Codex cannot use an empty value here",
                        "write a value, or leave the key out",
                    );
                    return None;
                }
                Some(McpValue::Text(text))
            }
            Kind::Url => {
                let url = self.base_url_like(node, field)?;
                if expands_a_variable(&url) {
                    self.mcp_variable(node, field, &url, stdio);
                    return None;
                }
                Some(McpValue::Text(url))
            }
            Kind::EnvName => self.mcp_env_name(node, field).map(McpValue::Text),
            Kind::EnvList => self.mcp_list(node, field, stdio, true).map(McpValue::List),
            Kind::TextList => self.mcp_list(node, field, stdio, false).map(McpValue::List),
            Kind::TextMap => self.mcp_pairs(node, k.name, field).map(McpValue::Pairs),
            Kind::EnvMap => {
                let pairs = self.pairs(Some(node), field, PairKind::EnvHeader);
                Some(McpValue::Pairs(pairs))
            }
            Kind::Bool => self.boolean(node, field).map(McpValue::Bool),
            Kind::Seconds => self.seconds(node, field).map(McpValue::Seconds),
            Kind::Choice(_) => self.mcp_choice(k, node, field).map(McpValue::Text),
            _ => unreachable!("{field}: a kind MCP_SERVER does not use"),
        }
    }

    /// Text that holds no credential and names no variable to expand.
    fn mcp_text(&mut self, node: &Node, field: &str, stdio: bool) -> Option<String> {
        let text = self.text(node, field)?;
        if holds_credential(&text) {
            self.mcp_secret(node, field, stdio, "holds what looks like a credential");
            return None;
        }
        if expands_a_variable(&text) {
            self.mcp_variable(node, field, &text, stdio);
            return None;
        }
        Some(text)
    }

    /// Refuses a variable to expand in `field` (not `env` or
    /// `http_headers`, which name their own way), saying how Codex takes
    /// one instead.
    fn mcp_variable(&mut self, node: &Node, field: &str, text: &str, stdio: bool) {
        let name = variable_in(text).unwrap_or("NAME");
        self.error(
            Code::LiteralSecret,
            node.pos,
            format!("{field} names a variable to expand"),
            format!("Codex does not expand it: it would use {text:?} as written"),
            if stdio {
                format!(
                    "pass the variable itself: `env_vars: [{name}]` (Codex copies its value from your environment to the server), and let the server read it; or write the value"
                )
            } else {
                format!(
                    "name the variable instead: `bearer_token_env_var: {name}` for `Authorization: Bearer`, `env_http_headers: {{Header: {name}}}` for any other header; or write the value"
                )
            },
        );
    }

    /// Refuses a credential (or a variable to expand) in `field`, saying
    /// how Codex takes one instead.
    fn mcp_secret(&mut self, node: &Node, field: &str, stdio: bool, found: &str) {
        let help = if stdio {
            "list the variable's NAME in `env_vars: [NAME]`: Codex passes its value from your environment to the server"
        } else {
            "name the variable instead: `bearer_token_env_var: NAME` for `Authorization: Bearer`, `env_http_headers: {Header: NAME}` for any other header"
        };
        self.error(
            Code::LiteralSecret,
            node.pos,
            format!("{field} {found}"),
            "a shared catalog must not hold secrets",
            help,
        );
    }

    fn mcp_env_name(&mut self, node: &Node, field: &str) -> Option<String> {
        let name = self.text(node, field)?;
        if looks_like_secret(&name) {
            self.error(
                Code::LiteralSecret,
                node.pos,
                format!("{field} looks like a secret, not a variable name"),
                "never put a secret in the catalog",
                "write the NAME of the environment variable that holds it, and export the value in your shell",
            );
            return None;
        }
        if !is_env_name(&name) {
            self.error(
                Code::BadVariableName,
                node.pos,
                format!("{field} is not an environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
                "e.g. TRACKER_TOKEN",
            );
            return None;
        }
        self.named.push(name.clone());
        Some(name)
    }

    /// A list of text (`names`: of variable names).
    fn mcp_list(
        &mut self,
        node: &Node,
        field: &str,
        stdio: bool,
        names: bool,
    ) -> Option<Vec<String>> {
        let Value::Seq(items) = &node.value else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{field} must be a list"),
                format!("found {}", node.value.kind()),
                "write one item per entry: [a, b]",
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            let value = if names {
                self.mcp_env_name(item, field)
            } else {
                self.mcp_text(item, field, stdio)
            };
            match value {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        // The value after a secret-named flag (`--api-key VALUE`).
        if !names && let Some(at) = credential_in_args(&out) {
            // On its own line (a block list) the flag is not beside it:
            // the value itself must never be shown.
            crate::secrets::conceal(&out[at]);
            let item = items.get(at).unwrap_or(node);
            let what = format!("{field} (item {})", at + 1);
            self.mcp_secret(
                item,
                &what,
                stdio,
                "holds what looks like a credential (the value of a secret-named flag)",
            );
            return None;
        }
        ok.then_some(out)
    }

    /// The entries of `env` (`stdio`: variable names) or `http_headers`
    /// (header names), with their text and node.
    fn mcp_entries<'n>(
        &mut self,
        node: &'n Node,
        field: &str,
        stdio: bool,
    ) -> Option<Vec<(String, String, &'n Node)>> {
        let Value::Map(entries) = &node.value else {
            self.error(
                Code::WrongType,
                node.pos,
                format!("{field} must be a map"),
                format!("found {}", node.value.kind()),
                if stdio {
                    "write `NAME: value` lines indented under it"
                } else {
                    "write `Header: value` lines indented under it"
                },
            );
            return None;
        };
        let mut out = Vec::new();
        for (name, value) in entries {
            if stdio && !is_env_name(&name.name) {
                self.error(
                    Code::BadVariableName,
                    name.pos,
                    format!("{field} sets `{}`, which is not a variable name", name.name),
                    "use letters, digits and `_`, not starting with a digit",
                    "e.g. LOG_LEVEL",
                );
                continue;
            }
            if !stdio && !self.pair_name(name, field, PairKind::Header) {
                continue;
            }
            if let Some(text) = self.text(value, &format!("`{}` in {field}", name.name)) {
                out.push((name.name.clone(), text, value));
            }
        }
        Some(out)
    }

    /// `env` (variables for a stdio server) or `http_headers`: literal,
    /// non-secret values only.
    fn mcp_pairs(&mut self, node: &Node, key: &str, field: &str) -> Option<Pairs> {
        let stdio = key == "env";
        let pairs = self.mcp_entries(node, field, stdio)?;
        let mut kept = Vec::new();
        for (name, text, value) in pairs {
            let what = format!("`{name}` in {field}");
            if expands_a_variable(&text) {
                let fix = if stdio {
                    format!("Codex does not expand it: the server would get {text:?} as written")
                } else {
                    format!("Codex does not expand it: it would send {text:?} as written")
                };
                self.error(
                    Code::LiteralSecret,
                    value.pos,
                    format!("{what} names a variable to expand"),
                    fix,
                    if stdio {
                        format!(
                            "pass the variable itself: `env_vars: [{}]` (Codex copies its value from your environment)",
                            variable_in(&text).unwrap_or(&name)
                        )
                    } else if name.eq_ignore_ascii_case("authorization") {
                        "name the token's variable in `bearer_token_env_var:` (sent as `Authorization: Bearer`)".to_owned()
                    } else {
                        format!(
                            "name the variable in `env_http_headers: {{{name}: {}}}`",
                            variable_in(&text).unwrap_or("NAME")
                        )
                    },
                );
                continue;
            }
            if is_credential_name(&name) || holds_credential(&text) {
                let found = "holds a literal credential";
                if !stdio && name.eq_ignore_ascii_case("authorization") {
                    self.error(
                        Code::LiteralSecret,
                        value.pos,
                        format!("{what} {found}"),
                        "a shared catalog must not hold secrets",
                        "name the token's variable in `bearer_token_env_var:` (sent as `Authorization: Bearer`), or use `env_http_headers: {Authorization: NAME}`",
                    );
                } else {
                    self.mcp_secret(value, &what, stdio, found);
                }
                continue;
            }
            kept.push((name, text));
        }
        Some(Pairs(kept))
    }

    /// A number of seconds: whole or not, 0 to [`keys::MAX_SECONDS`].
    fn seconds(&mut self, node: &Node, field: &str) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        let value = match node.value {
            Value::Int(n) => n as f64,
            Value::Float(x) => x,
            _ => {
                self.error(
                    Code::WrongType,
                    node.pos,
                    format!("{field} must be a number of seconds"),
                    format!("found {}", node.value.kind()),
                    "write a number such as 30 or 2.5",
                );
                return None;
            }
        };
        if value.is_finite() && (0.0..=keys::MAX_SECONDS).contains(&value) {
            return Some(value);
        }
        self.error(
            Code::OutOfRange,
            node.pos,
            format!("{field}: {value} is out of range"),
            "Codex refuses a negative duration, and one too long for it to convert (the whole file then fails to load)",
            format!(
                "write a number of seconds from 0 to {} (a year)",
                keys::MAX_SECONDS
            ),
        );
        None
    }

    /// A choice among the values the target reads.
    fn mcp_choice(&mut self, k: &KeyDoc, node: &Node, field: &str) -> Option<String> {
        let value = self.string(node, field)?;
        let version = self.target.version;
        let allowed = k.choices(version);
        if allowed.contains(&value.as_str()) {
            return Some(value);
        }
        let label = match k.added.iter().find(|(a, _)| *a == value) {
            Some((_, first)) => {
                format!("Codex {version} does not read it; Codex {first} and newer do")
            }
            None => format!("Codex {version} does not accept this value"),
        };
        self.error(
            Code::BadValue,
            node.pos,
            format!("{field}: `{value}` is not a value Codex {version} accepts"),
            label,
            format!("Codex {version} accepts: {}", allowed.join(", ")),
        );
        None
    }

    /// A key always refused: a literal secret, or one Codex rewrites.
    fn mcp_refused(&mut self, node: &Node, k: &KeyDoc, what: &str) {
        let code = if k.secret == Secret::Literal {
            Code::LiteralSecret
        } else {
            Code::UnsupportedKey
        };
        self.error(
            code,
            node.pos,
            format!("`{}` of {what} is refused", k.name),
            k.description,
            match k.name {
                "bearer_token" => "put the token in an environment variable and name it: `bearer_token_env_var: NAME`",
                "startup_timeout_ms" => "write `startup_timeout_sec:` (seconds, e.g. 5 or 0.5)",
                _ => "remove it",
            },
        );
    }

    /// A server's table of its own (`oauth`): its scalar keys by kind.
    fn mcp_table(
        &mut self,
        node: &Node,
        what: &str,
        table: &'static [KeyDoc],
    ) -> Option<Vec<(&'static str, McpValue)>> {
        let mut f = self.fields(node, what.to_owned(), table)?;
        for (k, first) in keys::gated(table) {
            self.needs_codex(&f, k, first, what);
        }
        for k in table.iter().filter(|k| matches!(k.kind, Kind::Refused)) {
            if let Some(node) = f.take(k.name) {
                self.mcp_refused(node, k, what);
            }
        }
        // A credential or a variable to expand, by the rule of every MCP
        // text key.
        let mut expands = false;
        for (key, node) in f.entries {
            let Value::Str(text) = &node.value else {
                continue;
            };
            let field = format!("`{}` of {what}", key.name);
            if holds_credential(text) {
                self.mcp_secret(node, &field, false, "holds what looks like a credential");
                expands = true;
            } else if expands_a_variable(text) {
                self.mcp_variable(node, &field, text, false);
                expands = true;
            }
        }
        if expands {
            return None;
        }
        let names = table.iter().filter(|k| k.is_scalar()).map(|k| k.name);
        let set = self.settings(&mut f, names);
        self.finish(&f, "");
        Some(
            set.into_iter()
                .filter_map(|(k, v)| Some((k, from_setting(v)?)))
                .collect(),
        )
    }

    /// `tools`: per tool name, its keys.
    fn mcp_tools(
        &mut self,
        node: &Node,
        what: &str,
        table: &'static [KeyDoc],
    ) -> Vec<(String, Vec<(&'static str, McpValue)>)> {
        let Some(f) = self.fields(node, format!("`tools` of {what}"), &[]) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, tool) in f.entries {
            let owner = format!("tool `{}` of {what}", name.name);
            let Some(mut t) = self.fields(tool, owner.clone(), table) else {
                continue;
            };
            for (k, first) in keys::gated(table) {
                self.needs_codex(&t, k, first, &owner);
            }
            let names = table.iter().filter(|k| k.is_scalar()).map(|k| k.name);
            let set: Vec<(&'static str, McpValue)> = self
                .settings(&mut t, names)
                .into_iter()
                .filter_map(|(k, v)| Some((k, from_setting(v)?)))
                .collect();
            self.finish(&t, "");
            if !set.is_empty() {
                out.push((name.name.clone(), set));
            }
        }
        out
    }
}

/// A scalar setting as an MCP server's value (`None` for a list or a
/// table, which the MCP tables hold in keys of their own kinds).
fn from_setting(setting: Setting) -> Option<McpValue> {
    match setting {
        Setting::Text(t) => Some(McpValue::Text(t)),
        Setting::Number(n) => Some(McpValue::Number(n)),
        Setting::Bool(b) => Some(McpValue::Bool(b)),
        Setting::List(_) | Setting::Table(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_agents_variable_syntax_is_found() {
        for text in [
            "${TOKEN}",
            "Bearer ${TOKEN}",
            "$TOKEN",
            "{env:TOKEN}",
            "x-$_A",
        ] {
            assert!(expands_a_variable(text), "{text}");
        }
        for text in ["%USERPROFILE%", "a %TEMP%\\x", "$HOME/w"] {
            assert!(expands_a_variable(text), "{text}");
        }
        for text in ["$", "price: $5", "plain", "a$", "^a$b", "100%", "5% of 10%"] {
            assert!(!expands_a_variable(text), "{text}");
        }
        assert_eq!(variable_in("Bearer ${TOKEN}"), Some("TOKEN"));
        assert_eq!(variable_in("{env:TEAM_ID}"), Some("TEAM_ID"));
        assert_eq!(variable_in("$X"), Some("X"));
    }
}
