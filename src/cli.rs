//! Owns the command line's shape: clap derive types, help text and value
//! enums. No I/O and no logic; `app` turns these into settings.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "codexgen",
    version,
    about = "Render a catalog of model providers into the Codex CLI's config files, safely.",
    long_about = "Render a versioned catalog of model providers and profiles (providers.yaml) \
into the files the OpenAI Codex CLI reads ($CODEX_HOME/config.toml and NAME.config.toml), \
keeping everything codexgen does not manage byte for byte.",
    after_help = "Exit status: 0 done or in sync, 1 out of date (--check, --diff --exit-code) or \"no\" at the prompt, 2 bad input or usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Catalog file (`-`: standard input, once); repeat to overlay later files
    /// on earlier ones key by key. A named catalog may take over a Codex home
    /// another catalog wrote; one found is not written under --yes then.
    /// [default: `$CODEXGEN_CATALOG` (one absolute path; empty: unset), else ./providers.yaml,
    /// else ~/.config/codexgen/providers.yaml, else the built-in catalog; then the
    /// personal overlay, see --no-local]
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

    /// Read no personal overlay automatically (no `providers.local.yaml` beside
    /// the catalog or in ~/.config/codexgen): the team catalog alone, as CI sees it.
    /// A `--catalog` file is still read, whatever its name.
    #[arg(long, global = true)]
    pub no_local: bool,

    /// Print no informational lines on stderr (progress, notes, "nothing to
    /// change"), nor gen's diff under --yes; warnings, errors and questions
    /// still print.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print a few more informational lines on stderr: which catalog files
    /// were read or passed over and why, and each file's status.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
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
    /// Write the built-in catalog (with its comments) to a file, to start your own.
    Init(InitArgs),
    /// Keep the values edited in the Codex files (e.g. by Codex's `/model`):
    /// write them into the personal overlay (shows its diff first).
    Adopt(AdoptArgs),
    /// Switch the default profile (plain `codex`, the IDE extension, the app): record it in
    /// the personal overlay and write the home; `-` goes back to the previous one; alone,
    /// say which is the default now and whether the home matches (exit 0 in sync, 1 not).
    Use(UseArgs),
    /// Make the Codex home's config.toml a link to a shared one (a dotfiles
    /// repository's), bringing this machine's own tables into it first.
    Link(LinkArgs),
    /// Add shipped providers (presets) and their example profiles, with their comments,
    /// to your catalog file or (--local) the personal overlay (shows its diff first).
    Add(AddArgs),
    /// Put back what an earlier write of the Codex home replaced (backup generation N,
    /// 1 the newest; `--list` shows them): shows the diff, then writes.
    Restore(RestoreArgs),
    /// List the profiles (the default marked, provider, model, key variable and whether it
    /// is set; never its value), then the providers no profile uses.
    List(ListArgs),
    /// Print the effective catalog after overlays; `--origin` names where each value came from.
    Show(ShowArgs),
    /// Check the catalog files for the target Codex; reads and writes no Codex home
    /// (exit 0 valid, 2 invalid).
    Validate(ValidateArgs),
    /// Print a completion script for a shell (profile names as of the catalog read now).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of codexgen or of one COMMAND (`codexgen-COMMAND(1)`)
    /// to standard output; view with `man -l`. `--dir DIR` writes every page instead.
    Man(ManArgs),
    /// Print the catalog's JSON Schema (for editors: `# yaml-language-server: $schema=...`).
    Schema,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Yaml)]
    pub format: ShowFormat,

    /// Name the file and line each value came from (YAML: a trailing comment;
    /// JSON: each value as {"value", "origin"}).
    #[arg(long)]
    pub origin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Output format (JSON: every problem with file, line, column and a stable code).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Also check the templates in this folder, as `gen --templates DIR` would use them.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`gen` prints codexgen-gen(1)) [default: the main page]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,

    /// Write every page (codexgen.1 and codexgen-COMMAND.1 for each command) into DIR,
    /// replacing pages of those names, instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
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
pub struct AdoptArgs {
    /// Print the overlay's diff; write nothing.
    #[arg(long)]
    pub diff: bool,

    /// Write without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// The profile to make the default; `-` for the previous default.
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Print the overlay's diff and the home's; write nothing.
    #[arg(long, requires = "profile")]
    pub diff: bool,

    /// Overwrite the managed values edited outside codexgen (e.g. by Codex's
    /// `/model`) with the catalog's; without it the switch stops and names them
    /// (keep them with `codexgen adopt`), as `gen --yes` does.
    #[arg(long, requires = "profile", conflicts_with = "diff")]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The shared config.toml (created from this machine's when missing).
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// Print what would change in the shared file and the steps; change nothing.
    #[arg(long)]
    pub diff: bool,

    /// Do it without asking.
    #[arg(long, short = 'y', conflicts_with = "diff")]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line flags
pub struct AddArgs {
    /// The presets to add: providers of the built-in catalog (see --list).
    #[arg(value_name = "PRESET", required_unless_present = "list")]
    pub presets: Vec<String>,

    /// List the presets: key variable and whether it is set (never its value), base URL.
    #[arg(long, conflicts_with_all = ["presets", "local", "diff", "yes"])]
    pub list: bool,

    /// Add to the personal overlay instead of the catalog file (created when absent).
    #[arg(long)]
    pub local: bool,

    /// Print the file's diff; write nothing.
    #[arg(long)]
    pub diff: bool,

    /// Write without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Output format of --list [default: text]
    #[arg(long, value_enum, conflicts_with = "presets")]
    pub format: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The generation to go back to: 1 is the newest (what the last write replaced);
    /// N puts back the home as it was before the Nth newest write.
    #[arg(value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub number: u32,

    /// List the backup generations, newest first (number, time, the command that
    /// replaced them, their files); write nothing.
    #[arg(long, conflicts_with_all = ["diff", "yes", "number"])]
    pub list: bool,

    /// Print the diff; write nothing.
    #[arg(long)]
    pub diff: bool,

    /// Write without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Output format of --list.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, requires_if("json", "list"))]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it; `-` prints it [default: ./providers.yaml]
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "user")]
    pub output: Option<PathBuf>,

    /// Write it to ~/.config/codexgen/providers.yaml (`$XDG_CONFIG_HOME`), creating the folder.
    #[arg(long)]
    pub user: bool,

    /// Replace an existing file.
    #[arg(long)]
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
    /// Providers or profiles to probe; a profile is probed with its model, and its
    /// lines are labeled by it [default: every provider the catalog uses]
    #[arg(value_name = "PROVIDER|PROFILE")]
    pub names: Vec<String>,

    /// Also send a minimal POST /responses for the profile's model (may cost a few tokens).
    #[arg(long)]
    pub responses: bool,

    /// Seconds to wait for each answer (0.1 to 3600).
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = seconds)]
    pub timeout: Duration,

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
#[command(group = clap::ArgGroup::new("report").args(["diff", "check"]))]
pub struct GenArgs {
    /// Print what would change as a unified diff; write nothing.
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,

    /// With --diff: exit 1 when something is out of date, as `--check`
    /// would (as `git diff --exit-code`), 0 when nothing is.
    #[arg(long, requires = "diff", conflicts_with = "check")]
    pub exit_code: bool,

    /// Output format of --diff and --check (JSON: one document on stdout).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, requires_if("json", "report"))]
    pub format: OutputFormat,

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

    /// Overwrite the managed values edited outside codexgen (e.g. by Codex's
    /// `/model`) with the catalog's; without it, a run that is not asked
    /// (`--yes`, no terminal) stops and names them (keep them with `codexgen adopt`).
    #[arg(long, conflicts_with_all = ["diff", "check"])]
    pub overwrite: bool,

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

/// The bounds of a number of seconds on the command line (`probe
/// --timeout`): a wait of more than an hour is a mistake, and beyond the
/// bound a `Duration` (or a deadline built from it) overflows.
pub const SECONDS: std::ops::RangeInclusive<f64> = 0.1..=3600.0;

/// A number of seconds within [`SECONDS`]; `inf`, `NaN`, `1e20` and the
/// like are refused with the range, never turned into a panic.
fn seconds(text: &str) -> Result<Duration, String> {
    let refused = || {
        format!(
            "`{text}` is not a number of seconds from {} to {}",
            SECONDS.start(),
            SECONDS.end()
        )
    };
    let value: f64 = text.trim().parse().map_err(|_| refused())?;
    if !SECONDS.contains(&value) {
        return Err(refused());
    }
    Duration::try_from_secs_f64(value).map_err(|_| refused())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn seconds_are_bounded() {
        assert_eq!(seconds("5"), Ok(Duration::from_secs(5)));
        assert_eq!(seconds("0.1"), Ok(Duration::from_millis(100)));
        assert_eq!(seconds("3600"), Ok(Duration::from_secs(3600)));
        for refused in [
            "inf",
            "-inf",
            "NaN",
            "1e20",
            "1.8e19",
            "18446744073709551616",
            "3600.5",
            "0",
            "0.09",
            "-1",
            "",
            "5s",
        ] {
            let err = seconds(refused).unwrap_err();
            assert!(err.contains("from 0.1 to 3600"), "{refused}: {err}");
        }
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
