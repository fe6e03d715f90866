//! No input panics a command (issue 9, class 2; `import` too): arbitrary UTF-8 (non-ASCII
//! letters before `:` and `=`, CRLF, half-written tables) in config.toml, a
//! profile file and the catalog, through the real binary. A panic exits 101;
//! every outcome here must be 0, 1 or 2.

use proptest::prelude::*;

use crate::support::{CATALOG, World};

const TOML: &[&str] = &[
    "# Übersicht: alles\n",
    "# codexgen: a note of mine\n",
    "model = \"m\"\n",
    "[model_providers.alpha-p]\n",
    "name = \"é\"\n",
    "[profiles.alpha]\nmodel = \"x\"\n",
    "[projects.\"/ü/中\"]\ntrust_level = \"trusted\"\n",
    "clé = \"token: 🙂\"\n",
    "model_provider = \"alpha-p\"\n",
    "base_url = \"https://x.example/v1\"\n",
    "experimental_bearer_token = \"t\"\n",
    "[model_providers.alpha-p.auth]\ncommand = \"ü\"\n",
    "auth = { command = 5, args = [{}] }\n",
    "[model_providers.amazon-bedrock.aws]\nprofile = 1\n",
    "http_headers = { Authorization = \"Bearer x\", api-key = 1 }\n",
    "\r\n",
    "[",
    "=",
    "\"",
];

const YAML: &[&str] = &[
    "    name: \"Ü: v\"\n",
    "  ü:\n    provider: alpha-p\n    model: m\n",
    "    model_reasoning_effort: hügh\n",
    "    auth: {command: ü, args: [a, {b: c}], cwd: \"\"}\n",
    "  amazon-bedrock:\n    aws: {region: 1, auth_refresh: {command: aws}}\n",
    "\t",
    ": ",
    "é",
];

fn text(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::sample::select(pieces).prop_map(str::to_owned),
            1 => any::<String>(),
        ],
        0..8,
    )
    .prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_command_panics_on_any_text(
        config in text(TOML),
        profile in text(TOML),
        extra in text(YAML),
        at in 0usize..400,
    ) {
        let w = World::new();
        let mut catalog = CATALOG.to_owned();
        let mut at = at.min(catalog.len());
        while !catalog.is_char_boundary(at) {
            at -= 1;
        }
        catalog.insert_str(at, &extra);
        w.catalog(&catalog);
        w.file("codex-home/config.toml", &config);
        w.file("codex-home/alpha.config.toml", &profile);
        let commands: [&[&str]; 11] = [
            &["gen", "--diff"], &["gen", "--check"], &["gen", "--yes"], &["doctor"], &["import"],
            &["list"], &["show", "--origin"], &["show", "--format", "json"],
            &["validate", "--format", "json"], &["completions", "bash"], &["adopt", "--diff"],
        ];
        for args in commands {
            let out = w.cmd().arg("--codex-version").arg("0.169.0").args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            prop_assert!(
                matches!(out.status.code(), Some(0..=2)) && !stderr.contains("panicked"),
                "`codexgen {}` ended with {:?}:\n{stderr}",
                args.join(" "),
                out.status
            );
        }
    }
}
