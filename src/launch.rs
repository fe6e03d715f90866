//! How a catalog profile becomes a Codex command line: the `-c` overrides
//! and `-m` that `exec` runs Codex with and `aliases` writes into shell
//! functions, so that both launch a profile the same way. Does not run
//! anything.

use crate::catalog::Profile;
use crate::render::toml_string;

/// `-c model_provider=... -m model`, plus the profile's settings as `-c`.
pub fn codex_args(profile: &Profile) -> Vec<String> {
    let mut args = vec![
        "-c".to_owned(),
        format!("model_provider={}", toml_string(&profile.provider)),
        "-m".to_owned(),
        profile.model.clone(),
    ];
    for (key, value) in crate::catalog::codex_keys(&profile.settings) {
        args.push("-c".to_owned());
        args.push(format!("{key}={}", value.toml()));
    }
    args
}
