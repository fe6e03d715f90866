//! codexgen's integration tests: one binary, run against the built `codexgen`
//! in temporary folders. None of them touches the real `~/.codex`.

// `clippy.toml` keeps print macros out of codexgen; a test may panic.
#![allow(clippy::disallowed_macros)]

mod add;
mod catalog_errors;
mod ci_recipe;
mod codex_schema;
#[cfg(unix)]
mod dist;
mod docs;
mod e2e;
mod e2e_layers;
mod e2e_settings;
mod e2e_strict;
mod e2e_versions;
mod faults;
mod findings;
mod generate;
mod hooks;
mod http_stub;
mod identity;
mod import;
mod inputs;
mod interface;
mod key_commands;
mod layers;
mod link;
mod links;
mod mcp;
mod messages;
mod no_panic;
mod output;
mod overlay;
mod ownership;
mod races;
mod removal;
mod restore;
mod scale;
mod schema;
mod scripting;
mod secrets;
mod settings;
mod shell_safety;
mod snapshots;
mod stand_in;
mod stderr;
mod support;
mod targets;
mod travel;
mod troubleshoot;
mod use_;
mod writers;
