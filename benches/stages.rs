//! The pipeline's stages at N = 10, 100, 1,000 and 10,000 providers and
//! profiles (divan): load and check the catalog, render, merge (a first run,
//! and over a config.toml with 5,000 unmanaged `[projects]` entries), diff.
//! Both profile layouts. Run: `cargo bench --bench stages`; whole-binary
//! timings are `benches/scale.sh`'s.

use codexgen::stages::{self, Loaded, Rendered};
use divan::Bencher;

/// The binary's allocator (src/main.rs), so that the stages cost here what
/// they cost there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: &[usize] = &[10, 100, 1_000, 10_000];

fn main() {
    divan::main();
}

fn loaded(n: usize, files: bool) -> Loaded {
    stages::load(&stages::catalog_text(n), &stages::target(files))
}

fn rendered(n: usize, files: bool) -> Rendered {
    stages::render(&loaded(n, files), &stages::target(files))
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn load_and_check(bencher: Bencher, n: usize) {
    let text = stages::catalog_text(n);
    let target = stages::target(true);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| stages::load(divan::black_box(&text), &target));
}

#[divan::bench(args = SIZES, consts = [true, false], sample_count = 10)]
fn render<const FILES: bool>(bencher: Bencher, n: usize) {
    let loaded = loaded(n, FILES);
    let target = stages::target(FILES);
    bencher.bench(|| stages::render(&loaded, &target));
}

#[divan::bench(args = SIZES, consts = [true, false], sample_count = 10)]
fn merge_first_run<const FILES: bool>(bencher: Bencher, n: usize) {
    let rendered = rendered(n, FILES);
    bencher.bench(|| stages::merge(&rendered, None));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn merge_with_5000_projects(bencher: Bencher, n: usize) {
    let rendered = rendered(n, true);
    let config = stages::projects_text(5_000);
    bencher.bench(|| stages::merge(&rendered, Some(&config)));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn diff(bencher: Bencher, n: usize) {
    let merged = stages::merge(&rendered(n, true), None);
    bencher.bench(|| stages::diff(&merged));
}
