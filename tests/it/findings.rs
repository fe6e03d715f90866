//! One findings vocabulary (issue 21): a hazard in a home is worded once,
//! with one severity, and `gen` (stderr and `--format json`) and `doctor`
//! (text and `--format json`) render that same finding.

use serde_json::Value;

use crate::support::World;

const CATALOG: &str = r#"schema: 1
version: "t1"
default: main
providers:
  stub:
    name: Stub AI
    base_url: https://stub.example/v1
    env_key: STUB_API_KEY
profiles:
  main:
    provider: stub
    model: stub-model-1
  spare:
    provider: stub
    model: stub-model-2
"#;

/// One finding as a report shows it: (message, help, severity word of
/// doctor's scale).
type Shown = (String, Option<String>, String);

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", String::from_utf8_lossy(out));
    })
}

/// The one finding in `list` whose message holds `needle`, read with the
/// report's names for its fix and severity fields.
fn one(list: &Value, [fix, severity]: [&str; 2], needle: &str, who: &str) -> Shown {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let found: Vec<Shown> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["message"].as_str().unwrap_or("").contains(needle))
        .map(|x| {
            (
                text(&x["message"]).unwrap_or_default(),
                text(&x[fix]),
                text(&x[severity]).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{who}: one finding naming {needle:?}, got {found:?} in {list:#}"
    );
    found.into_iter().next().unwrap()
}

/// Runs `gen --check` and `doctor` (both text and JSON) with `args` and
/// checks that each needle names one finding in each, with the same words,
/// fix and severity.
fn same_in_gen_and_doctor(w: &World, args: &[&str], needles: &[&str]) {
    let run = |command: &[&str], json: bool| {
        let mut all: Vec<&str> = command.to_vec();
        all.extend_from_slice(args);
        if json {
            all.extend_from_slice(&["--format", "json"]);
        }
        w.cmd()
            .args(&all)
            .env("STUB_API_KEY", "k")
            .output()
            .unwrap()
    };
    let gen_json = json(&run(&["gen", "--check"], true).stdout);
    let doctor_json = json(&run(&["doctor"], true).stdout);
    let gen_text = String::from_utf8_lossy(&run(&["gen", "--check"], false).stderr).into_owned();
    let doctor_text = String::from_utf8_lossy(&run(&["doctor"], false).stdout).into_owned();
    for needle in needles {
        let (message, help, severity) =
            one(&gen_json["warnings"], ["help", "severity"], needle, "gen");
        let doctor = one(&doctor_json, ["fix", "status"], needle, "doctor");
        assert_eq!(
            (&message, &help, &severity),
            (&doctor.0, &doctor.1, &doctor.2),
            "gen and doctor word {needle:?} differently"
        );
        // The text forms: gen's first word and doctor's status word say
        // the same severity, before the same words.
        let (gen_word, doctor_word) = match severity.as_str() {
            "error" => ("error:", "error"),
            "warn" => ("warning:", "warn "),
            other => panic!("severity {other:?} for {needle:?}"),
        };
        assert!(
            gen_text.contains(&format!("{gen_word} {message}")),
            "gen: {gen_word} {message}\n{gen_text}"
        );
        assert!(
            doctor_text.contains(&format!("{doctor_word} {message}")),
            "doctor: {doctor_word} {message}\n{doctor_text}"
        );
        if let Some(help) = help {
            assert!(gen_text.contains(&help), "gen help: {help}\n{gen_text}");
            assert!(
                doctor_text.contains(&format!("fix: {help}")),
                "doctor fix: {help}\n{doctor_text}"
            );
        }
    }
}

/// Every hazard a Codex that reads profile files trips on, in the user's
/// own parts of config.toml (which gen leaves as they are; under
/// `default: ~` that includes a `profile = "NAME"`, which gen removes when
/// it writes the default).
#[test]
fn gen_and_doctor_word_and_rank_each_hazard_alike() {
    let w = World::new();
    w.catalog(&CATALOG.replace("default: main", "default: ~"));
    w.gen_yes();
    let config = format!(
        "profile = \"main\"\n{}\n[profiles.old]\nmodel = \"x\"\n\n\
         [model_providers.ollama]\nname = \"mine\"\n\n\
         [model_providers.chatty]\nname = \"C\"\nbase_url = \"https://c.example/v1\"\nwire_api = \"chat\"\n\n\
         [model_providers.corp]\nname = \"Corp\"\nbase_url = \"https://corp.example/v1\"\n\n\
         [model_providers.corp.auth]\nnote = 1\n",
        w.read("config.toml")
    );
    w.file("codex-home/config.toml", &config);
    same_in_gen_and_doctor(
        &w,
        &[],
        &[
            "[profiles.old]",
            "profile = \"main\"",
            "[model_providers.ollama]",
            "wire_api = \"chat\"",
            "[model_providers.corp.auth]",
        ],
    );
}

/// The hazards of a Codex that reads `[profiles.NAME]` tables: a profile
/// file it does not read, and keys a user added to one codexgen wrote.
#[test]
fn gen_and_doctor_word_and_rank_profile_file_hazards_alike() {
    let w = World::new();
    w.catalog(CATALOG);
    w.gen_yes_for("0.169.0");
    let mine = format!("{}[tools]\nweb_search = true\n", w.read("main.config.toml"));
    w.file("codex-home/main.config.toml", &mine);
    // A profile the home has no record of, whose file is there.
    w.catalog(&format!(
        "{CATALOG}  extra:\n    provider: stub\n    model: stub-model-3\n"
    ));
    w.file("codex-home/extra.config.toml", "model = \"by hand\"\n");
    same_in_gen_and_doctor(
        &w,
        &["--codex-version", "0.133.0"],
        &[
            "main.config.toml holds keys",
            "extra.config.toml is not read",
        ],
    );
}

/// A key Codex cannot use (unset, quoted, a key command that is not
/// there) is worded once: doctor, exec and probe say what Codex does with
/// it in the same words, with the same fix.
#[test]
fn doctor_exec_and_probe_word_an_unusable_key_alike() {
    let w = World::new();
    w.catalog(&format!(
        "{CATALOG}  corp:\n    provider: corp-p\n    model: c\n"
    )
    .replace(
        "profiles:\n",
        "  corp-p:\n    name: Corp\n    base_url: https://corp.example/v1\n    auth:\n      command: no-such-key-program\nprofiles:\n",
    ));
    w.gen_yes();
    let run = |args: &[&str], key: Option<&str>| {
        let mut cmd = w.cmd();
        cmd.args(args);
        match key {
            Some(k) => cmd.env("STUB_API_KEY", k),
            None => cmd.env_remove("STUB_API_KEY"),
        };
        let out = cmd.output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let unset = [
        "STUB_API_KEY is not set",
        ": Codex stops with \"Missing environment variable\"",
        "export STUB_API_KEY=<your Stub AI key>",
    ];
    for (args, said) in [
        (&["doctor", "main"][..], run(&["doctor", "main"], None)),
        (&["exec", "main"][..], run(&["exec", "main"], None)),
        (&["probe", "stub"][..], run(&["probe", "stub"], None)),
    ] {
        for words in unset {
            assert!(said.contains(words), "{args:?}: {words}\n{said}");
        }
    }
    let quoted = [
        "STUB_API_KEY is wrapped in quotes",
        ": the provider will answer 401",
        "re-export STUB_API_KEY without quotes or surrounding spaces",
    ];
    for said in [
        run(&["doctor", "main"], Some("\"k\"")),
        run(&["exec", "main"], Some("\"k\"")),
    ] {
        for words in quoted {
            assert!(said.contains(words), "{words}\n{said}");
        }
    }
    let no_key = "no key from `no-such-key-program` (`no-such-key-program` is not on PATH), so it sends none and gets a 401";
    for said in [
        run(&["doctor", "corp"], Some("k")),
        run(&["exec", "corp"], Some("k")),
        run(&["probe", "corp-p"], Some("k")),
    ] {
        assert!(said.contains(no_key), "{said}");
    }
}

/// A key command in a message is quoted as every command line codexgen
/// prints (`sh_quote`): a word starting with `=` too, which zsh would
/// expand (it was left bare by a second quoting of its own).
#[test]
fn a_key_command_in_a_message_is_quoted_as_every_command_line() {
    let w = World::new();
    w.catalog(&CATALOG.replace(
        "    env_key: STUB_API_KEY\n",
        "    auth:\n      command: no-such-key-program\n      args: [\"=x\", \"it's\"]\n",
    ));
    w.gen_yes();
    let out = w.cmd().args(["doctor", "main"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("no key from `no-such-key-program '=x' 'it'\\''s'`"),
        "{stdout}"
    );
}
