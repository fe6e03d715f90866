//! Installing without a Rust toolchain (issue 24, point 5): the Linux release
//! archive built by `dist/build-archive`, the script the release workflow
//! calls; `install.sh` installing it from the local file; and the npm
//! packages assembled by `dist/build-npm`, packed with `npm pack` and
//! installed offline from those files. The commands `docs/install.md` shows
//! are run as written, in scratch folders.
//!
//! The archive is built once per run, from the test binary's `codexgen`
//! (stripped when `strip` is there, to keep packing to about a second), under
//! Cargo's `CARGO_TARGET_TMPDIR`. A test whose tool is missing (bash,
//! python3, tar, sha256sum; npm and node for the npm test) prints why and
//! returns; under `CI=true` it fails instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-musl";
const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// One time stamp for every entry (2023-11-14 22:13:20 UTC).
const EPOCH: &str = "1700000000";

/// Whether `tools` are all on PATH; prints the reason to skip when not, and
/// fails when `CI=true`, where they must be.
fn have(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| which::which(tool).is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let reason = format!("{test}: skipped, not on PATH: {}", missing.join(", "));
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{reason}");
    eprintln!("{reason}");
    false
}

const ARCHIVE_TOOLS: &[&str] = &["bash", "python3", "tar", "sha256sum", "sh"];

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run command");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The test binary's `codexgen`, stripped when `strip` is there, at `dest`.
fn binary_at(dest: &Path) {
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let built = env!("CARGO_BIN_EXE_codexgen");
    let stripped = which::which("strip").is_ok()
        && Command::new("strip")
            .arg("-o")
            .arg(dest)
            .arg(built)
            .status()
            .is_ok_and(|s| s.success());
    if !stripped {
        std::fs::copy(built, dest).unwrap();
    }
}

/// `dist/build-archive` for the Linux target, from `binary`, into `out`.
fn build_archive(binary: &Path, out: &Path) -> PathBuf {
    let built = run(Command::new("bash")
        .arg(Path::new(REPO).join("dist/build-archive"))
        .args(["--target", TARGET, "--binary"])
        .arg(binary)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH));
    let path = PathBuf::from(stdout(&built).trim());
    assert_eq!(path, out.join(archive_name()));
    path
}

fn archive_name() -> String {
    format!("codexgen-{VERSION}-{TARGET}.tar.gz")
}

/// The Linux archive, built once for all the tests here.
fn archive() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        // One folder, emptied first: runs do not pile up.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dist-archive");
        let _ = std::fs::remove_dir_all(&dir);
        binary_at(&dir.join("bin/codexgen"));
        build_archive(&dir.join("bin/codexgen"), &dir.join("out"))
    })
}

/// The shell block of `docs/install.md` between `<!-- test:NAME -->` markers.
fn doc_block(name: &str) -> String {
    let doc = include_str!("../../docs/install.md");
    let start = format!("<!-- test:{name} -->\n```sh\n");
    let end = format!("```\n<!-- /test:{name} -->");
    let from = doc.find(&start).expect("block start marker") + start.len();
    let to = from + doc[from..].find(&end).expect("block end marker");
    // The doc names the current version's files.
    doc[from..to].replace("0.1.0", VERSION)
}

/// `sh -eu -c SCRIPT` in `cwd` with `home` as HOME, nothing else of the
/// user's (no XDG folders, no npm config).
fn sh_in(cwd: &Path, home: &Path, script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-eu", "-c", script])
        .current_dir(cwd)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("CODEXGEN_VERSION")
        .env_remove("CODEXGEN_ARCHIVE")
        .env_remove("CODEXGEN_INSTALL_DIR")
        .env("CODEX_HOME", home.join(".codex"));
    cmd
}

/// A scratch folder holding `install.sh`, the archive and its `.sha256`.
fn download_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(REPO).join("install.sh"),
        dir.path().join("install.sh"),
    )
    .unwrap();
    let archive = archive();
    std::fs::copy(archive, dir.path().join(archive_name())).unwrap();
    std::fs::copy(
        archive.with_extension("gz.sha256"),
        dir.path().join(format!("{}.sha256", archive_name())),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("home")).unwrap();
    dir
}

#[test]
fn the_linux_archive_holds_the_binary_completions_manual_readme_and_licences() {
    if !have("dist archive", ARCHIVE_TOOLS) {
        return;
    }
    let archive = archive();
    let listing = run(Command::new("tar")
        .args(["--numeric-owner", "-tvzf"])
        .arg(archive)
        .env("TZ", "UTC"));
    let top = format!("codexgen-{VERSION}-{TARGET}");
    let mut names = Vec::new();
    for line in stdout(&listing).lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (mode, owner, date, time, name) =
            (fields[0], fields[1], fields[3], fields[4], fields[5]);
        assert_eq!(owner, "0/0", "{line}");
        assert_eq!((date, time), ("2023-11-14", "22:13"), "{line}");
        let want = if name.ends_with('/') {
            "drwxr-xr-x"
        } else if name == format!("{top}/codexgen") {
            "-rwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        assert_eq!(mode, want, "{line}");
        names.push(name.to_owned());
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are sorted");
    // Manual pages beyond the main one may come (one per subcommand): any
    // file under man/man1 is a page.
    let (pages, rest): (Vec<String>, Vec<String>) = names
        .into_iter()
        .partition(|n| n.starts_with(&format!("{top}/man/man1/")) && n.ends_with(".1"));
    assert!(
        pages.contains(&format!("{top}/man/man1/codexgen.1")),
        "{pages:?}"
    );
    let expected: Vec<String> = [
        "",
        "LICENSE-APACHE",
        "LICENSE-MIT",
        "README.md",
        "codexgen",
        "completions/",
        "completions/_codexgen",
        "completions/_codexgen.ps1",
        "completions/codexgen.bash",
        "completions/codexgen.elv",
        "completions/codexgen.fish",
        "man/",
        "man/man1/",
    ]
    .iter()
    .map(|n| {
        if n.is_empty() {
            format!("{top}/")
        } else {
            format!("{top}/{n}")
        }
    })
    .collect();
    assert_eq!(rest, expected);

    // The .sha256 beside it is sha256sum's line for the archive.
    let sums = std::fs::read_to_string(archive.with_extension("gz.sha256")).unwrap();
    let check = run(Command::new("sha256sum")
        .arg("--check")
        .arg(archive.with_extension("gz.sha256").file_name().unwrap())
        .current_dir(archive.parent().unwrap()));
    assert!(stdout(&check).contains(": OK"), "{sums}");

    // Unpacked: the files are the ones the binary and the repository hold,
    // and the completions carry no catalog's names.
    let dir = tempfile::tempdir().unwrap();
    run(Command::new("tar")
        .arg("-xzf")
        .arg(archive)
        .arg("-C")
        .arg(dir.path()));
    let unpacked = dir.path().join(&top);
    for licence in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        assert_eq!(
            std::fs::read(unpacked.join(licence)).unwrap(),
            std::fs::read(Path::new(REPO).join(licence)).unwrap(),
            "{licence}"
        );
    }
    let version = run(Command::new(unpacked.join("codexgen")).arg("--version"));
    assert_eq!(stdout(&version), format!("codexgen {VERSION}\n"));
    let bash = std::fs::read_to_string(unpacked.join("completions/codexgen.bash")).unwrap();
    assert!(
        bash.contains("complete -F _codexgen"),
        "a bash completion script"
    );
    for shipped in ["openrouter", "groq", "deepseek"] {
        assert!(
            !bash.contains(shipped),
            "the shipped catalog's {shipped} is in the completions"
        );
    }
    let page = std::fs::read_to_string(unpacked.join("man/man1/codexgen.1")).unwrap();
    assert!(page.contains(".TH codexgen 1"), "{page}");
}

#[test]
fn the_install_script_installs_the_archive_from_the_local_file_as_the_docs_show() {
    if !have("dist install", ARCHIVE_TOOLS) {
        return;
    }
    let dir = download_folder();
    let home = dir.path().join("home");
    let out = run(&mut sh_in(dir.path(), &home, &doc_block("install-local")));
    assert_eq!(
        stdout(&out),
        format!("codexgen {VERSION}\ncodexgen {VERSION}\n")
    );
    let said = stderr(&out);
    let bin = home.join(".local/bin");
    assert!(
        said.contains(&format!(
            "installed codexgen {VERSION} to {}/codexgen",
            bin.display()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("export PATH=\"{}:$PATH\"", bin.display())),
        "the PATH hint: {said}"
    );
    let receipt = std::fs::read_to_string(home.join(".config/codexgen/install-receipt")).unwrap();
    assert_eq!(receipt.lines().count(), 2, "{receipt}");

    // Again: its own install is replaced, and said so.
    let again = run(&mut sh_in(
        dir.path(),
        &home,
        &format!("sh install.sh --archive {}", archive_name()),
    ));
    assert!(
        stderr(&again).contains("installed by this script"),
        "{}",
        stderr(&again)
    );
    // On PATH: no hint.
    let mut on_path = sh_in(
        dir.path(),
        &home,
        &format!("sh install.sh --archive {}", archive_name()),
    );
    on_path.env(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    assert!(!stderr(&run(&mut on_path)).contains("export PATH"));
}

#[test]
fn the_install_script_refuses_an_archive_whose_checksum_does_not_match() {
    if !have("dist checksum", ARCHIVE_TOOLS) {
        return;
    }
    let dir = download_folder();
    let home = dir.path().join("home");
    let name = archive_name();
    // One byte changed (the gzip trailer's last), and one appended: both refused.
    for tamper in [
        format!("printf x >> {name}"),
        format!(
            "python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); b[-1]^=1; open(p,\"wb\").write(b)' {name}"
        ),
    ] {
        let dir = download_folder();
        run(&mut sh_in(dir.path(), &home, &tamper));
        let out = sh_in(
            dir.path(),
            &home,
            &format!("sh install.sh --archive {name} --to bin"),
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(1), "{tamper}");
        assert!(stderr(&out).contains("does not match"), "{}", stderr(&out));
        assert!(!dir.path().join("bin").exists(), "nothing installed");
    }
    // No .sha256 beside it: refused too.
    std::fs::remove_file(dir.path().join(format!("{name}.sha256"))).unwrap();
    let out = sh_in(
        dir.path(),
        &home,
        &format!("sh install.sh --archive {name} --to bin"),
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no checksum at"), "{}", stderr(&out));
    assert!(!dir.path().join("bin").exists());
}

#[test]
fn the_install_script_keeps_a_file_it_did_not_install_unless_forced() {
    type Make<'a> = &'a dyn Fn(&Path);
    if !have("dist foreign", ARCHIVE_TOOLS) {
        return;
    }
    let dir = download_folder();
    let home = dir.path().join("home");
    let name = archive_name();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    // The same class: a file, a codexgen installed some other way (here: the
    // archive's own binary, put there by hand), and a link to elsewhere.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, "mine\n").unwrap();
    // (The codexgen first: once the script has installed there, a file with
    // the bytes it recorded is its own.)
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let cases: [(&str, Make); 4] = [
        ("another codexgen", &|p| binary_at(p)),
        ("a link to a folder", &|p| {
            std::os::unix::fs::symlink(&folder, p).unwrap();
        }),
        ("a file", &|p| {
            std::fs::write(p, "#!/bin/sh\necho not codexgen\n").unwrap();
        }),
        ("a link", &|p| {
            std::os::unix::fs::symlink(&elsewhere, p).unwrap();
        }),
    ];
    for (what, make) in cases {
        let dest = bin.join("codexgen");
        let _ = std::fs::remove_file(&dest);
        make(&dest);
        let before = std::fs::symlink_metadata(&dest).unwrap();
        let before_bytes = std::fs::read(&dest).ok();
        let out = sh_in(
            dir.path(),
            &home,
            &format!("sh install.sh --archive {name} --to bin"),
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("this script did not install it"),
            "{what}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::read(&dest).ok(), before_bytes, "{what} kept");
        assert_eq!(
            std::fs::symlink_metadata(&dest).unwrap().file_type(),
            before.file_type()
        );

        let forced = run(&mut sh_in(
            dir.path(),
            &home,
            &format!("sh install.sh --archive {name} --to bin --force"),
        ));
        assert!(
            stderr(&forced).contains("which this script did not install (--force)"),
            "{what}"
        );
        assert!(
            !std::fs::symlink_metadata(&dest)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{what}: the link is replaced"
        );
        assert_eq!(
            std::fs::read_to_string(&elsewhere).unwrap(),
            "mine\n",
            "{what}: never written through"
        );
        let version = run(Command::new(&dest).arg("--version"));
        assert_eq!(stdout(&version), format!("codexgen {VERSION}\n"));
        assert_eq!(
            std::fs::read_dir(&folder).unwrap().count(),
            0,
            "{what}: nothing moved into the folder"
        );
    }

    // A folder at the destination is never replaced, not even under --force.
    let _ = std::fs::remove_file(bin.join("codexgen"));
    std::fs::create_dir(bin.join("codexgen")).unwrap();
    let out = sh_in(
        dir.path(),
        &home,
        &format!("sh install.sh --archive {name} --to bin --force"),
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is a folder"), "{}", stderr(&out));
    assert!(bin.join("codexgen").is_dir());
    assert_eq!(std::fs::read_dir(bin.join("codexgen")).unwrap().count(), 0);
}

#[test]
fn the_docs_build_lines_make_the_archive_and_npm_packages() {
    if !have(
        "dist docs build",
        &[ARCHIVE_TOOLS, &["node", "unzip"]].concat(),
    ) {
        return;
    }
    // A scratch checkout-like folder: `dist` links to the repository's
    // scripts, and the target's binary is where cargo would put it.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(Path::new(REPO).join("dist"), dir.path().join("dist")).unwrap();
    binary_at(&dir.path().join(format!("target/{TARGET}/release/codexgen")));
    let block = doc_block("build-local");
    let lines: Vec<&str> = block.lines().collect();
    assert!(
        lines[0].starts_with("cargo build --release --locked --target "),
        "{block}"
    );
    // The cargo line is the build the test binary already is.
    let script = lines[1..].join("\n");
    let mut cmd = sh_in(dir.path(), dir.path(), &script);
    cmd.env("SOURCE_DATE_EPOCH", EPOCH);
    run(&mut cmd);
    let built = dir.path().join("target/dist").join(archive_name());
    // Built again from the same binary and time stamp, in another folder
    // by another command line: the same bytes (the archive is reproducible).
    assert!(
        std::fs::read(&built).unwrap() == std::fs::read(archive()).unwrap(),
        "the archive differs when built again"
    );
    for file in [
        "package.json",
        "bin/codexgen.js",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(
            dir.path().join("target/npm/codexgen").join(file).is_file(),
            "{file}"
        );
    }
    for file in [
        "package.json",
        "bin/codexgen",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(
            dir.path()
                .join("target/npm/codexgen-linux-x64")
                .join(file)
                .is_file(),
            "{file}"
        );
    }
}

/// The npm packages for the archive, assembled by `dist/build-npm` into `dir`.
fn npm_packages(dir: &Path) -> (PathBuf, PathBuf) {
    run(Command::new("bash")
        .arg(Path::new(REPO).join("dist/build-npm"))
        .arg("--out")
        .arg(dir)
        .arg(archive()));
    (dir.join("codexgen"), dir.join("codexgen-linux-x64"))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// npm kept away from the user's cache, config and the network.
fn npm(dir: &Path, scratch: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir)
        .env("HOME", scratch.join("home"))
        .env("npm_config_cache", scratch.join("npm-cache"))
        .env("npm_config_userconfig", scratch.join("npmrc"))
        .env("npm_config_globalconfig", scratch.join("npmrc-global"))
        .env("npm_config_update_notifier", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_offline", "true")
        .env("npm_config_registry", "http://127.0.0.1:9/");
    cmd
}

#[test]
fn the_npm_package_installs_from_packed_files_and_runs_the_binary() {
    if !have("dist npm", &[ARCHIVE_TOOLS, &["npm", "node"]].concat()) {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let s = scratch.path();
    std::fs::create_dir_all(s.join("home")).unwrap();
    let (main, platform) = npm_packages(&s.join("npm"));

    // What the packages say: the platform package's os/cpu, the main
    // package's optional dependencies on every platform at its version.
    let platform_json = json(&platform.join("package.json"));
    assert_eq!(platform_json["name"], "@codexgen/linux-x64");
    assert_eq!(platform_json["version"], VERSION);
    assert_eq!(platform_json["os"], serde_json::json!(["linux"]));
    assert_eq!(platform_json["cpu"], serde_json::json!(["x64"]));
    let main_json = json(&main.join("package.json"));
    assert_eq!(main_json["version"], VERSION);
    assert_eq!(main_json["bin"]["codexgen"], "bin/codexgen.js");
    let deps = main_json["optionalDependencies"].as_object().unwrap();
    let names: Vec<&str> = deps.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "@codexgen/darwin-arm64",
            "@codexgen/darwin-x64",
            "@codexgen/linux-arm64",
            "@codexgen/linux-x64",
            "@codexgen/win32-x64"
        ]
    );
    assert!(deps.values().all(|v| v == VERSION), "{deps:?}");

    // Packed with `npm pack`: the licences are in both tarballs.
    let packs = s.join("packs");
    std::fs::create_dir(&packs).unwrap();
    run(npm(&packs, s).arg("pack").arg(&main).arg(&platform));
    for (tgz, inside) in [
        (format!("codexgen-{VERSION}.tgz"), "package/bin/codexgen.js"),
        (
            format!("codexgen-linux-x64-{VERSION}.tgz"),
            "package/bin/codexgen",
        ),
    ] {
        let listing = stdout(&run(Command::new("tar").arg("-tzf").arg(packs.join(&tgz))));
        for file in [
            inside,
            "package/LICENSE-MIT",
            "package/LICENSE-APACHE",
            "package/package.json",
        ] {
            assert!(
                listing.lines().any(|l| l == file),
                "{tgz} lacks {file}:\n{listing}"
            );
        }
    }

    // Installed from those files, offline, as the docs show.
    let project = s.join("project");
    std::fs::create_dir(&project).unwrap();
    for tgz in std::fs::read_dir(&packs).unwrap() {
        let tgz = tgz.unwrap().path();
        std::fs::copy(&tgz, project.join(tgz.file_name().unwrap())).unwrap();
    }
    let block = doc_block("npm-local");
    let (install, check) = block.trim_end().split_once('\n').unwrap();
    let words: Vec<&str> = install.split_whitespace().collect();
    assert_eq!(words[..3], ["npm", "install", "--offline"]);
    run(npm(&project, s).args(&words[1..]));
    assert_eq!(check, "node_modules/.bin/codexgen --version");
    let version = run(Command::new(project.join("node_modules/.bin/codexgen"))
        .arg("--version")
        .current_dir(&project));
    assert_eq!(stdout(&version), format!("codexgen {VERSION}\n"));

    // Its exit code is the binary's (2: a usage error), with its stderr.
    let bad = Command::new(project.join("node_modules/.bin/codexgen"))
        .arg("--no-such-flag")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--no-such-flag"), "{}", stderr(&bad));

    if cfg!(target_os = "linux") {
        a_signal_to_the_shim_reaches_the_binary(&project);
    }

    // Without the platform package (npm install --omit=optional): it says so.
    std::fs::remove_dir_all(project.join("node_modules/@codexgen/linux-x64")).unwrap();
    let missing = Command::new(project.join("node_modules/.bin/codexgen"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("@codexgen/linux-x64 is not installed"),
        "{}",
        stderr(&missing)
    );
}

/// The targets named in `text`, of those a release could build.
fn targets_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for arch in ["aarch64", "x86_64", "i686", "armv7", "riscv64gc"] {
        for os in [
            "apple-darwin",
            "pc-windows-gnu",
            "pc-windows-msvc",
            "unknown-linux-gnu",
            "unknown-linux-musl",
        ] {
            let triple = format!("{arch}-{os}");
            if text.contains(&triple) {
                found.push(triple);
            }
        }
    }
    found
}

#[test]
fn the_workflow_the_npm_platforms_and_the_docs_name_the_same_targets() {
    // One list of platforms, held three times: the workflow's matrix (what
    // is built), dist/build-npm's table (what npm ships) and the docs'
    // table (what users read). A target added to one and not the others
    // would be built but not shipped, or promised but not built.
    let workflow = include_str!("../../.github/workflows/release.yml");
    let matrix: Vec<String> = targets_in(
        &workflow
            .lines()
            .filter(|l| l.trim_start().starts_with("- target: "))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let npm = targets_in(include_str!("../../dist/build-npm"));
    let docs = targets_in(include_str!("../../docs/install.md"));
    assert_eq!(matrix.len(), 5, "{matrix:?}");
    assert_eq!(npm, matrix, "dist/build-npm's platforms");
    assert_eq!(docs, matrix, "docs/install.md's table");
    // Each target is packed by the script the tests run, and published by
    // the one that assembles the npm packages.
    assert!(workflow.contains("run: dist/build-archive --target \"$TARGET\""));
    assert!(workflow.contains("dist/build-npm --out npm-out"));
    // Bash on the Windows runner reads them: LF whatever the checkout does.
    let attributes = include_str!("../../.gitattributes");
    for script in ["/dist/build-archive", "/dist/build-npm", "/install.sh"] {
        assert!(
            attributes
                .lines()
                .any(|l| l == format!("{script} text eol=lf")),
            "{script} in .gitattributes"
        );
    }
}

/// The processes whose command line holds `marker` (Linux: /proc).
fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline"))
            && String::from_utf8_lossy(&cmdline).contains(marker)
        {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

/// SIGTERM sent to the Node shim alone (not its process group) ends the
/// native binary it runs, and the shim ends by the same signal. The binary
/// waits on `--catalog -` reading a standard input kept open; the Codex home
/// named on its command line is the marker that finds it.
fn a_signal_to_the_shim_reaches_the_binary(project: &Path) {
    use std::os::unix::process::ExitStatusExt as _;
    let marker = project.join(format!("marker-home-{}", std::process::id()));
    let marker = marker.to_str().unwrap();
    let mut shim = Command::new(project.join("node_modules/.bin/codexgen"))
        .args([
            "validate",
            "--no-local",
            "--catalog",
            "-",
            "--codex-home",
            marker,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Held open until the end: `wait` would close it, and EOF alone ends
    // the binary.
    let stdin = shim.stdin.take();
    let started = std::time::Instant::now();
    // Node itself holds the marker too; the binary is the other process.
    while processes_with(marker).len() < 2 {
        assert!(started.elapsed().as_secs() < 20, "the binary did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    run(Command::new("kill").args(["-TERM", &shim.id().to_string()]));
    let status = shim.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(15),
        "the shim ends by SIGTERM: {status:?}"
    );
    let ended = std::time::Instant::now();
    while !processes_with(marker).is_empty() {
        assert!(
            ended.elapsed().as_secs() < 10,
            "the binary outlived the shim"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(stdin);
}

#[test]
fn the_windows_archive_is_a_zip_holding_codexgen_exe_and_feeds_the_win32_npm_package() {
    if !have(
        "dist windows zip",
        &[ARCHIVE_TOOLS, &["unzip", "node"]].concat(),
    ) {
        return;
    }
    // The packing of the Windows target, tried here with this machine's
    // binary under the Windows name (it runs here, so it writes the
    // completions and the manual page as on a Windows runner).
    let dir = tempfile::tempdir().unwrap();
    let binary = archive()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("bin/codexgen");
    let target = "x86_64-pc-windows-msvc";
    let built = run(Command::new("bash")
        .arg(Path::new(REPO).join("dist/build-archive"))
        .args(["--target", target, "--binary"])
        .arg(&binary)
        .arg("--out")
        .arg(dir.path())
        .env("SOURCE_DATE_EPOCH", EPOCH));
    let zip = dir.path().join(format!("codexgen-{VERSION}-{target}.zip"));
    assert_eq!(PathBuf::from(stdout(&built).trim()), zip);
    let listing = stdout(&run(Command::new("unzip").arg("-Z").arg(&zip)));
    let top = format!("codexgen-{VERSION}-{target}");
    let entries: Vec<(&str, &str)> = listing
        .lines()
        .filter_map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields.len() == 9 && fields[8].starts_with(&top)).then(|| (fields[0], fields[8]))
        })
        .collect();
    let names: Vec<&str> = entries.iter().map(|(_, n)| *n).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "entries are sorted");
    for (mode, name) in &entries {
        let want = if name.ends_with('/') {
            "drwxr-xr-x"
        } else if *name == format!("{top}/codexgen.exe") {
            "-rwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        assert_eq!(*mode, want, "{name}");
    }
    for file in [
        "codexgen.exe",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "completions/_codexgen.ps1",
        "man/man1/codexgen.1",
    ] {
        assert!(
            names.contains(&format!("{top}/{file}").as_str()),
            "{file}: {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| *n == format!("{top}/codexgen")),
        "no codexgen without .exe"
    );
    let sums = std::fs::read_to_string(
        dir.path()
            .join(format!("codexgen-{VERSION}-{target}.zip.sha256")),
    )
    .unwrap();
    assert!(
        sums.ends_with(&format!("  codexgen-{VERSION}-{target}.zip\n")),
        "{sums}"
    );

    // The npm package for win32-x64 holds it as bin/codexgen.exe.
    run(Command::new("bash")
        .arg(Path::new(REPO).join("dist/build-npm"))
        .arg("--out")
        .arg(dir.path().join("npm"))
        .arg(&zip));
    let package = dir.path().join("npm/codexgen-win32-x64");
    assert!(package.join("bin/codexgen.exe").is_file());
    let json = json(&package.join("package.json"));
    assert_eq!(json["name"], "@codexgen/win32-x64");
    assert_eq!(
        (json["os"][0].as_str(), json["cpu"][0].as_str()),
        (Some("win32"), Some("x64"))
    );
}

#[test]
fn each_script_the_docs_name_answers_help() {
    if !have("dist help", ARCHIVE_TOOLS) {
        return;
    }
    for (shell, script) in [
        ("sh", "install.sh"),
        ("bash", "dist/build-archive"),
        ("bash", "dist/build-npm"),
    ] {
        let out = run(Command::new(shell)
            .arg(Path::new(REPO).join(script))
            .arg("--help"));
        let help = stdout(&out);
        assert!(help.contains("Usage: "), "{script}: {help}");
        assert!(!help.contains("set -eu"), "{script}: {help}");
        // Every option the script takes is in its help.
        let text = std::fs::read_to_string(Path::new(REPO).join(script)).unwrap();
        for line in text.lines() {
            let line = line.trim_start();
            if let Some(option) = line.strip_prefix("--").and_then(|l| l.split(')').next())
                && !option.contains(' ')
                && line.contains(')')
            {
                for option in option.split(" | ") {
                    assert!(
                        help.contains(&format!("--{option}")),
                        "{script}: --{option} not in help"
                    );
                }
            }
        }
    }
}

#[test]
fn the_install_script_keeps_a_working_install_when_the_archive_does_not_run_here() {
    if !have("dist foreign binary", ARCHIVE_TOOLS) {
        return;
    }
    // An archive for another machine (here: a codexgen that cannot run),
    // with a good checksum: refused before anything is replaced.
    let dir = download_folder();
    let home = dir.path().join("home");
    let good = archive_name();
    run(&mut sh_in(
        dir.path(),
        &home,
        &format!("sh install.sh --archive {good} --to bin"),
    ));
    let before = std::fs::read(dir.path().join("bin/codexgen")).unwrap();
    let other = "codexgen-9.9.9-aarch64-apple-darwin";
    let script = format!(
        "mkdir -p {other} && printf '\\177ELF not for this machine' > {other}/codexgen && chmod 755 {other}/codexgen \
         && tar -czf {other}.tar.gz {other} && sha256sum {other}.tar.gz > {other}.tar.gz.sha256"
    );
    run(&mut sh_in(dir.path(), &home, &script));
    for force in ["", " --force"] {
        let out = sh_in(
            dir.path(),
            &home,
            &format!("sh install.sh --archive {other}.tar.gz --to bin{force}"),
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("does not run on this machine"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read(dir.path().join("bin/codexgen")).unwrap(),
            before,
            "the working install is kept"
        );
    }
}
