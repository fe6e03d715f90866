//! Owns the command line's shape: clap derive types, help text and value
//! enums. No I/O and no logic; `app` turns these into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "codexgen",
    version,
    about = "Render a catalog of model providers into the Codex CLI's config files, safely.",
    long_about = "Render a versioned catalog of model providers and profiles (providers.yaml) \
into the files the OpenAI Codex CLI reads ($CODEX_HOME/config.toml and NAME.config.toml), \
keeping everything codexgen does not manage byte for byte.",
    after_help = "Exit status: 0 done or in sync, 1 out of date (--check), 2 bad input or usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Catalog file; repeat to overlay later files on earlier ones key by key.
    /// [default: ./providers.yaml, else ~/.config/codexgen/providers.yaml, else the built-in catalog]
    #[arg(long, value_name = "PATH", global = true)]
    pub catalog: Vec<PathBuf>,

    /// The Codex home to write into [default: `$CODEX_HOME`, else ~/.codex]
    #[arg(long, value_name = "DIR", global = true)]
    pub codex_home: Option<PathBuf>,

    /// The Codex version to write for [default: the catalog's `codex:`, else
    /// `codex --version` of the codex on PATH, else the newest known]
    #[arg(long, value_name = "X.Y.Z", global = true)]
    pub codex_version: Option<String>,

    /// The Codex binary to ask for its version and to verify with [default: codex on PATH]
    #[arg(long, value_name = "PATH", global = true)]
    pub codex_bin: Option<PathBuf>,

    /// When to colour output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Color::Auto, global = true)]
    pub color: Color,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the Codex home in line with the catalog (shows the diff, then writes).
    Gen(GenArgs),
    /// Check the installed Codex, the generated files, Codex's own config layers and the key
    /// variables of the profiles in use (or those named); explain what is wrong.
    Doctor(DoctorArgs),
    /// Ask each provider's endpoint whether Codex would get through (network).
    Probe(ProbeArgs),
    /// Run Codex with a profile, after checking its key and provider.
    Exec(ExecArgs),
    /// Print one shell function per profile (`codex-<profile>`) for your rc file.
    Aliases(AliasesArgs),
    /// Write a catalog that reproduces an existing Codex home (reads the home, never writes it).
    Import(ImportArgs),
    /// Print the catalog's JSON Schema (for editors: `# yaml-language-server: $schema=...`).
    Schema,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Write the catalog to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Catalog profiles to check [default: the default profile and every
    /// profile whose key variable is set]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Providers or profiles to probe [default: every provider the catalog uses]
    #[arg(value_name = "PROVIDER|PROFILE")]
    pub names: Vec<String>,

    /// Also send a minimal POST /responses for the profile's model (may cost a few tokens).
    #[arg(long)]
    pub responses: bool,

    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub timeout: f64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The catalog profile to run Codex with.
    pub profile: String,

    /// Print the command (shell-quoted) instead of running it.
    #[arg(long)]
    pub print: bool,

    /// Arguments passed on to codex (after `--`).
    #[arg(last = true, value_name = "CODEX_ARGS")]
    pub codex_args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AliasesArgs {
    /// The shell to write functions for.
    #[arg(long, value_enum, default_value_t = Shell::Bash)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line flags
pub struct GenArgs {
    /// Print what would change as a unified diff; write nothing.
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,

    /// Write nothing; print one line per out-of-date file and exit 1 if any.
    #[arg(long)]
    pub check: bool,

    /// Before writing, have the installed Codex load the planned files (in a
    /// throwaway copy of the home); stop if it refuses them.
    #[arg(long)]
    pub verify: bool,

    /// Write without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Folder with templates that replace the built-in ones of the same name
    /// (config.toml.tera, profile.config.toml.tera, profiles.legacy.toml.tera).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}
