//! Import of a home's `[mcp_servers.ID]` tables: each key read by its entry
//! in `keys::MCP_SERVER` (and `MCP_OAUTH`, `MCP_TOOL`), all or nothing per
//! server. A literal secret is never copied: a credential in `env` becomes
//! an `env_vars` entry of the same name, an `Authorization: Bearer` header
//! or an inline `bearer_token` a `bearer_token_env_var`, another credential
//! header an `env_http_headers` entry; its value is never printed, and `gen`
//! then takes it out of the file (the map it sat in is codexgen's). A
//! server with a key the catalog has no place for, a value it refuses, a
//! credential with no variable to name instead (an `args` item with a URL's
//! password or a secret-named flag's value, by the catalog's own rule), or
//! an `oauth.client_secret` stays in config.toml, listed.

use toml_edit::Item;

use super::{
    Import, Parsed, Val, Values, env_prefix, header_var_suffix, is_credential_header, mapping,
    read_table, read_value,
};
use crate::catalog::keys::{self, Kind};
use crate::catalog::{Mapping, Plain};
use crate::error::Error;
use crate::home::{self, CodexFile};
use crate::output;
use crate::secrets;

/// One server as the catalog will hold it.
#[derive(Debug)]
pub struct Server {
    id: String,
    /// Its keys but `tools`, each an entry of `keys::MCP_SERVER`.
    values: Values,
    /// `tools.NAME`: each tool's keys (`keys::MCP_TOOL`).
    tools: Vec<(String, Values)>,
}

/// A literal secret of a server and the variable that replaces it.
#[derive(Debug)]
pub struct Credential {
    server: String,
    /// Where the literal is, e.g. "`env.GITHUB_TOKEN`".
    source: String,
    /// The key that now names the variable.
    via: &'static str,
    var: String,
}

/// A server's keys as read, before its secrets are taken out.
struct Read {
    values: Values,
    tools: Vec<(String, Values)>,
    /// Where an inline bearer token is, when there is one.
    bearer: Option<String>,
}

/// What taking a server's literal secrets out leaves to say.
#[derive(Default)]
struct Taken {
    /// (where, the key that names the variable now, the variable).
    credentials: Vec<(String, &'static str, String)>,
    changes: Vec<String>,
}

impl Import<'_> {
    /// Imports `[mcp_servers.ID]`, or keeps it with the reason.
    pub(super) fn mcp_server(
        &mut self,
        parsed: &Parsed<'_>,
        id: &str,
        item: &Item,
    ) -> Result<(), Error> {
        let shown = format!("[mcp_servers.{}]", toml_edit::Key::new(id).display_repr());
        let why = if let Some(fault) = home::id_fault(id) {
            format!("its id {}", fault.reason())
        } else if let Some(table) = item.as_table_like() {
            match self.mcp_read(parsed, table, &format!("mcp_servers.{id}"))? {
                Err(why) => why,
                Ok(mut read) => match take_secrets(id, &mut read) {
                    Err(why) => why,
                    Ok(taken) => {
                        self.changes.extend(taken.changes);
                        self.mcp_credentials
                            .extend(taken.credentials.into_iter().map(|(source, via, var)| {
                                Credential {
                                    server: id.to_owned(),
                                    source,
                                    via,
                                    var,
                                }
                            }));
                        self.mcp_servers.push(Server {
                            id: id.to_owned(),
                            values: read.values,
                            tools: read.tools,
                        });
                        return Ok(());
                    }
                },
            }
        } else {
            "not a table".to_owned()
        };
        self.keep(&CodexFile::Config, format!("{shown} ({why})"));
        Ok(())
    }

    /// Each key of a server's table by its entry, or why the server stays.
    fn mcp_read(
        &self,
        parsed: &Parsed<'_>,
        table: &dyn toml_edit::TableLike,
        path: &str,
    ) -> Result<Result<Read, String>, Error> {
        let mut read = Read {
            values: Values::new(),
            tools: Vec::new(),
            bearer: None,
        };
        for (key, item) in table.iter() {
            let at = format!("{path}.{key}");
            parsed.printable(key, item.span(), &at)?;
            if key == "bearer_token" {
                read.bearer = Some("`bearer_token`".to_owned());
                continue;
            }
            if key == "startup_timeout_ms" {
                // What Codex itself rewrites it into.
                let Some(ms) = item.as_integer().filter(|ms| {
                    #[allow(clippy::cast_precision_loss)]
                    let seconds = *ms as f64 / 1000.0;
                    (0.0..=keys::MAX_SECONDS).contains(&seconds)
                        && table.get("startup_timeout_sec").is_none()
                }) else {
                    return Ok(Err(
                        "`startup_timeout_ms` beside `startup_timeout_sec`, or not a number"
                            .to_owned(),
                    ));
                };
                let doc = keys::find(keys::MCP_SERVER, "startup_timeout_sec").expect("an entry");
                #[allow(clippy::cast_precision_loss)]
                let seconds = ms as f64 / 1000.0;
                read.values.push((doc, Val::Plain(Plain::Seconds(seconds))));
                continue;
            }
            let Some(doc) = keys::find(keys::MCP_SERVER, key) else {
                return Ok(Err(format!(
                    "`{}`: no catalog key",
                    crate::diagnostic::printable(key)
                )));
            };
            if !doc.read_by(self.target.version) {
                return Ok(Err(format!(
                    "`{key}`: read from Codex {}",
                    doc.since.map(|v| v.to_string()).unwrap_or_default()
                )));
            }
            let value = match doc.kind {
                Kind::MapOf(_, table) => match self.mcp_tools(parsed, table, item, &at)? {
                    Ok(tools) => {
                        read.tools = tools;
                        continue;
                    }
                    Err(why) => return Ok(Err(why)),
                },
                Kind::Table(_, table) => {
                    let refuse = |k: &str| {
                        keys::find(table, k)
                            .filter(|d| matches!(d.kind, Kind::Refused))
                            .map(|_| "a literal secret, which the catalog does not hold".to_owned())
                    };
                    read_table(parsed, self.target, table, item, &at, &refuse)?
                }
                Kind::Refused => Err(doc.description.to_owned()),
                _ => read_value(parsed, self.target, doc, item, &at)?,
            };
            match value {
                Ok(value) => read.values.push((doc, value)),
                Err(why) => return Ok(Err(format!("`{key}`: {why}"))),
            }
        }
        Ok(Ok(read))
    }

    /// `tools`: each tool's table, all or nothing.
    fn mcp_tools(
        &self,
        parsed: &Parsed<'_>,
        table: &'static [keys::KeyDoc],
        item: &Item,
        path: &str,
    ) -> Result<Result<Vec<(String, Values)>, String>, Error> {
        let Some(tools) = item.as_table_like() else {
            return Ok(Err("`tools`: not a table".to_owned()));
        };
        let mut out = Vec::new();
        for (name, tool) in tools.iter() {
            let at = format!("{path}.{name}");
            parsed.printable(name, tool.span(), &at)?;
            match read_table(parsed, self.target, table, tool, &at, &|_| None)? {
                Ok(Val::Table(values)) => out.push((name.to_owned(), values)),
                Ok(Val::Plain(_)) => {}
                Err(why) => return Ok(Err(format!("`tools.{name}`: {why}"))),
            }
        }
        Ok(Ok(out))
    }

    /// The catalog's `mcp_servers:` mapping, each server commented with
    /// where it came from.
    pub(super) fn mcp_mapping(&self) -> Mapping {
        let mut servers = Mapping::default();
        for s in &self.mcp_servers {
            let mut entry = mapping(keys::MCP_SERVER, &s.values);
            if !s.tools.is_empty() {
                let mut tools = Mapping::default();
                for (name, values) in &s.tools {
                    tools.mapping(name, mapping(keys::MCP_TOOL, values));
                }
                entry.mapping("tools", tools);
            }
            servers
                .comment(&format!("config.toml [mcp_servers.{}]", s.id))
                .mapping(&s.id, entry);
        }
        servers
    }

    /// One line per literal secret of a server: where it is and which
    /// variable now stands for it (never its value).
    pub(super) fn report_mcp_credentials(&self) {
        for c in &self.mcp_credentials {
            output::eprintln(format_args!(
                "credential: MCP server `{}` has a literal credential in {} ({}): the catalog names {} in `{}` instead; set {} to that value",
                c.server,
                c.source,
                CodexFile::Config,
                c.var,
                c.via,
                c.var
            ));
        }
    }
}

/// Why a server stays where it is: a credential, or a variable to expand,
/// in a value that has no variable to name instead (an `args` item,
/// `command`, `cwd`, `url`).
fn unimportable(values: &Values) -> Result<(), String> {
    // A credential in a value that has no variable to name instead (an
    // `args` item, `command`, `cwd`): the server stays where it is.
    for (doc, value) in values {
        let found = match value {
            Val::Plain(Plain::Text(text)) => secrets::holds_credential(text),
            Val::Plain(Plain::List(items)) => secrets::credential_in_args(items).is_some(),
            _ => false,
        };
        if found {
            return Err(format!(
                "`{}` holds a credential, which the catalog does not hold: move it to a variable (`env_vars`) by hand",
                doc.name
            ));
        }
        let expands = match value {
            Val::Plain(Plain::Text(text)) => crate::catalog::expands_a_variable(text),
            Val::Plain(Plain::List(items)) => {
                items.iter().any(|i| crate::catalog::expands_a_variable(i))
            }
            _ => false,
        };
        if expands {
            return Err(format!(
                "`{}` names a variable to expand, which Codex passes as written",
                doc.name
            ));
        }
    }
    Ok(())
}

/// Takes the literal secrets out of a server's `env` and `http_headers`
/// (and its inline bearer token), naming a variable for each instead; or
/// says why the server stays (`${VAR}`, which Codex sends as written).
fn take_secrets(id: &str, read: &mut Read) -> Result<Taken, String> {
    let path = format!("mcp_servers.{id}");
    let prefix = env_prefix(id);
    let mut taken = Taken::default();
    let mut env_vars: Vec<String> = Vec::new();
    let mut env_headers: Vec<(String, String)> = Vec::new();
    unimportable(&read.values)?;
    for (doc, value) in &mut read.values {
        let Val::Plain(Plain::Pairs(pairs)) = value else {
            continue;
        };
        if !matches!(doc.name, "env" | "http_headers") {
            continue;
        }
        if let Some((name, _)) = pairs
            .iter()
            .find(|(_, v)| crate::catalog::expands_a_variable(v))
        {
            return Err(format!(
                "`{}.{name}` names a variable to expand, which Codex sends as written: write `env_vars` or `env_http_headers` by hand",
                doc.name
            ));
        }
        let stdio = doc.name == "env";
        let mut leaving = Vec::new();
        pairs.retain(|(name, v)| {
            let secret = if stdio {
                secrets::is_credential_name(name) || secrets::holds_credential(v)
            } else {
                is_credential_header(name, v)
            };
            if secret {
                leaving.push(name.clone());
            }
            !secret
        });
        for name in leaving {
            let source = format!("`{}.{name}`", doc.name);
            if stdio {
                if !crate::catalog::is_env_name(&name) {
                    return Err(format!(
                        "{source} holds a credential under a name that is no variable"
                    ));
                }
                env_vars.push(name.clone());
                taken.credentials.push((source, "env_vars", name.clone()));
            } else if name.eq_ignore_ascii_case("authorization") {
                read.bearer = Some(source);
            } else {
                let var = format!("{prefix}_{}", header_var_suffix(&name));
                env_headers.push((name.clone(), var.clone()));
                taken.credentials.push((source, "env_http_headers", var));
            }
            taken.changes.push(format!(
                "{}: `{path}.{}` loses `{name}` (a literal credential; the catalog names a variable instead)",
                CodexFile::Config,
                doc.name
            ));
        }
    }
    if let Some(source) = read.bearer.take() {
        let var = format!("{prefix}_TOKEN");
        if !read
            .values
            .iter()
            .any(|(d, _)| d.name == "bearer_token_env_var")
        {
            let doc = keys::find(keys::MCP_SERVER, "bearer_token_env_var").expect("an entry");
            read.values
                .push((doc, Val::Plain(Plain::Text(var.clone()))));
        }
        taken
            .credentials
            .push((source, "bearer_token_env_var", var));
    }
    extend_list(&mut read.values, "env_vars", env_vars);
    extend_pairs(&mut read.values, "env_http_headers", env_headers);
    read.values
        .retain(|(_, v)| !matches!(v, Val::Plain(Plain::Pairs(p)) if p.is_empty()));
    Ok(taken)
}

/// Adds `items` to the list `name` of `values` (created when missing).
fn extend_list(values: &mut Values, name: &str, items: Vec<String>) {
    if items.is_empty() {
        return;
    }
    for (doc, value) in values.iter_mut() {
        if doc.name == name
            && let Val::Plain(Plain::List(list)) = value
        {
            list.extend(
                items
                    .into_iter()
                    .filter(|i| !list.contains(i))
                    .collect::<Vec<_>>(),
            );
            return;
        }
    }
    if let Some(doc) = keys::find(keys::MCP_SERVER, name) {
        values.push((doc, Val::Plain(Plain::List(items))));
    }
}

/// Adds `pairs` to the map `name` of `values` (created when missing).
fn extend_pairs(values: &mut Values, name: &str, pairs: Vec<(String, String)>) {
    if pairs.is_empty() {
        return;
    }
    for (doc, value) in values.iter_mut() {
        if doc.name == name
            && let Val::Plain(Plain::Pairs(map)) = value
        {
            map.extend(pairs);
            return;
        }
    }
    if let Some(doc) = keys::find(keys::MCP_SERVER, name) {
        values.push((doc, Val::Plain(Plain::Pairs(pairs))));
    }
}
