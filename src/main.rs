use std::process::ExitCode;

/// mimalloc instead of the system allocator: codexgen's work is many small
/// allocations (TOML and YAML trees), and at 10,000 providers the system
/// allocator's bookkeeping was a third of a run; mimalloc halves the run
/// (docs/performance.md). Version 2 (`v2`) gives freed memory back to the
/// system after 10 ms, version 3 after a second, longer than a run: at
/// 10,000 providers that is 60 MB of peak memory. No transparent huge pages
/// (`no_thp`), for the same reason.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    codexgen::run(std::env::args_os())
}
