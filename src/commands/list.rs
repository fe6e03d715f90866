//! `codexgen list`: the catalog at a glance, for people (an aligned table)
//! and scripts (`--format json`). Owns that table and that JSON; reads the
//! catalog (checked for the target, as every command does) and the
//! environment, never the Codex home.
//!
//! One row per profile, in catalog order: `*` on the default, its provider,
//! model, the provider's key variable and whether it is set (not empty) in
//! this shell, never its value. Then the providers no profile uses. A
//! provider that needs no key (Codex's `ollama`, `lmstudio`, a catalog
//! provider without `env_key`) shows `-` and `not needed` (`null` in JSON).
//! A provider whose key comes from a command (`auth`) shows `$(command)`
//! and `command` when its program is found as Codex would find it, or
//! `not found`; the command is never run here.
//! Then the catalog's MCP servers: transport, the command line it starts
//! or the URL it reaches, on or off, and each variable it names with
//! whether it is set (never its value).
//! Column widths are those of the text as printed (escaped, in terminal
//! cells); nothing is cut.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use unicode_width::UnicodeWidthStr as _;

use crate::catalog::{Catalog, McpServer, McpValue};
use crate::diagnostic::Exit;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::keycmd;
use crate::settings::Settings;
use crate::ui::report::{Format, print_out, shown};

pub struct Options {
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct Listing {
    /// The default profile; `null` when the catalog says `default: ~`.
    default: Option<String>,
    profiles: Vec<ProfileRow>,
    providers: Vec<ProviderRow>,
    mcp_servers: Vec<McpRow>,
}

#[derive(Debug, Serialize)]
struct McpRow {
    id: String,
    /// `stdio` or `http` (streamable HTTP).
    transport: &'static str,
    /// The command line it starts, as one would type it, or its URL.
    target: String,
    enabled: bool,
    required: bool,
    /// Each variable it names, and whether it is set and not empty.
    variables: Vec<McpVariable>,
}

#[derive(Debug, Serialize)]
struct McpVariable {
    name: String,
    set: bool,
}

impl McpRow {
    fn of(server: &McpServer) -> Self {
        let target = match (server.text("command"), server.text("url")) {
            (Some(command), _) => {
                let args = match server.value("args") {
                    Some(McpValue::List(args)) => args.as_slice(),
                    _ => &[],
                };
                std::iter::once(command)
                    .chain(args.iter().map(String::as_str))
                    .map(crate::diagnostic::sh_quote)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            (None, url) => url.unwrap_or_default().to_owned(),
        };
        McpRow {
            id: server.id.clone(),
            transport: if server.text("command").is_some() {
                "stdio"
            } else {
                "http"
            },
            target,
            enabled: server.enabled(),
            required: server.required(),
            variables: server
                .variables()
                .into_iter()
                .map(|(name, _)| McpVariable {
                    name: name.to_owned(),
                    set: is_set(name),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct ProfileRow {
    name: String,
    default: bool,
    provider: String,
    model: String,
    key_variable: Option<String>,
    /// The command that prints the key (`auth`), as one would type it.
    key_command: Option<String>,
    /// Whether `key_variable` is set and not empty, or `key_command`'s
    /// program is found (it is not run); `None` when no key is needed.
    key_set: Option<bool>,
}

#[derive(Debug, Serialize)]
struct ProviderRow {
    id: String,
    name: String,
    base_url: String,
    /// Defined by Codex, not by the catalog.
    builtin: bool,
    key_variable: Option<String>,
    key_command: Option<String>,
    key_set: Option<bool>,
    /// The profiles that use it, in catalog order (empty: unused).
    profiles: Vec<String>,
}

pub fn run(settings: &Settings, options: &Options) -> Result<Exit, Error> {
    let catalog = settings.catalog.build(&settings.target)?;
    let listing = listing(&catalog, &settings.codex_home);
    let text = match options.format {
        Format::Json => {
            serde_json::to_string_pretty(&listing).expect("a listing serializes") + "\n"
        }
        Format::Text => table(&listing),
    };
    print_out(&text, "the list")?;
    Ok(Exit::Ok)
}

fn is_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// A provider's key variable, key command and whether its key is at hand.
type KeyWords = (Option<String>, Option<String>, Option<bool>);

fn listing(catalog: &Catalog, home: &Path) -> Listing {
    let index = catalog.index();
    // Once per provider, not per profile: a key command is looked up on
    // PATH, and thousands of profiles may share one provider.
    let keys: HashMap<&str, KeyWords> = catalog
        .providers_in_use()
        .into_iter()
        .map(|id| {
            let endpoint = Endpoint::lookup(&index, id);
            let words = if let Some(auth) = endpoint.as_ref().and_then(|e| e.auth.as_ref()) {
                let found = keycmd::locate(auth, home).is_ok();
                (None, Some(auth.display()), Some(found))
            } else {
                let var = endpoint.and_then(|e| e.env_key);
                let set = var.as_deref().map(is_set);
                (var, None, set)
            };
            (id, words)
        })
        .collect();
    let key = |id: &str| keys.get(id).cloned().unwrap_or_default();
    let profiles = catalog
        .profiles
        .iter()
        .map(|p| {
            let (key_variable, key_command, key_set) = key(&p.provider);
            ProfileRow {
                name: p.name.to_string(),
                default: catalog.default.as_deref() == Some(p.name.as_str()),
                provider: p.provider.clone(),
                model: p.model.clone(),
                key_variable,
                key_command,
                key_set,
            }
        })
        .collect();
    let providers = catalog
        .providers_in_use()
        .into_iter()
        .filter_map(|id| {
            let endpoint = Endpoint::lookup(&index, id)?;
            let (key_variable, key_command, key_set) = key(id);
            Some(ProviderRow {
                id: id.to_owned(),
                name: endpoint.name,
                base_url: endpoint.base_url,
                builtin: endpoint.builtin,
                key_variable,
                key_command,
                key_set,
                profiles: index
                    .users_of(id)
                    .iter()
                    .map(|p| p.name.to_string())
                    .collect(),
            })
        })
        .collect();
    Listing {
        default: catalog.default.clone(),
        profiles,
        providers,
        mcp_servers: catalog.mcp_servers.iter().map(McpRow::of).collect(),
    }
}

fn key_words(var: Option<&String>, command: Option<&String>, set: Option<bool>) -> [String; 2] {
    if let Some(command) = command {
        return [
            format!("$({})", shown(command)),
            if set == Some(true) {
                "command"
            } else {
                "not found"
            }
            .to_owned(),
        ];
    }
    [
        var.map_or_else(|| "-".to_owned(), |v| shown(v)),
        match set {
            Some(true) => "set",
            Some(false) => "unset",
            None => "not needed",
        }
        .to_owned(),
    ]
}

/// The listing as aligned text: the profiles, then the unused providers.
fn table(listing: &Listing) -> String {
    let mut rows =
        vec![["", "PROFILE", "PROVIDER", "MODEL", "KEY VARIABLE", "KEY"].map(str::to_owned)];
    for p in &listing.profiles {
        let [var, set] = key_words(p.key_variable.as_ref(), p.key_command.as_ref(), p.key_set);
        rows.push([
            if p.default { "*" } else { "" }.to_owned(),
            shown(&p.name),
            shown(&p.provider),
            shown(&p.model),
            var,
            set,
        ]);
    }
    let mut out = aligned(&rows);
    out.push_str("* default profile\n");
    let unused: Vec<&ProviderRow> = listing
        .providers
        .iter()
        .filter(|p| p.profiles.is_empty())
        .collect();
    if !unused.is_empty() {
        out.push_str("\nProviders no profile uses:\n");
        let mut rows =
            vec![["PROVIDER", "NAME", "BASE URL", "KEY VARIABLE", "KEY"].map(str::to_owned)];
        for p in unused {
            let [var, set] = key_words(p.key_variable.as_ref(), p.key_command.as_ref(), p.key_set);
            rows.push([shown(&p.id), shown(&p.name), shown(&p.base_url), var, set]);
        }
        out.push_str(&aligned(&rows));
    }
    if !listing.mcp_servers.is_empty() {
        out.push_str("\nMCP servers:\n");
        let mut rows = vec![
            [
                "SERVER",
                "TRANSPORT",
                "STARTS OR REACHES",
                "STATE",
                "VARIABLES",
            ]
            .map(str::to_owned),
        ];
        for s in &listing.mcp_servers {
            let state = match (s.enabled, s.required) {
                (false, _) => "off",
                (true, true) => "on, required",
                (true, false) => "on",
            };
            let variables = s
                .variables
                .iter()
                .map(|v| {
                    format!(
                        "{} ({})",
                        shown(&v.name),
                        if v.set { "set" } else { "unset" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            rows.push([
                shown(&s.id),
                s.transport.to_owned(),
                shown(&s.target),
                state.to_owned(),
                if variables.is_empty() {
                    "-".to_owned()
                } else {
                    variables
                },
            ]);
        }
        out.push_str(&aligned(&rows));
    }
    out
}

/// Rows as columns two spaces apart, each as wide as its widest cell (in
/// terminal cells); the last column is not padded.
pub(super) fn aligned<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell}{}  ", " ".repeat(w - cell.width()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_terminal_width() {
        let rows = [
            ["a".to_owned(), "日本".to_owned(), "x".to_owned()],
            ["bbb".to_owned(), "c".to_owned(), "y".to_owned()],
        ];
        assert_eq!(aligned(&rows), "a    日本  x\nbbb  c     y\n");
    }
}
