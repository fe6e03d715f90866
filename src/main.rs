use std::process::ExitCode;

/// mimalloc instead of the system allocator: codexgen's work is many small
/// allocations (TOML and YAML trees), and at 10,000 providers the system
/// allocator's bookkeeping was a third of a run; mimalloc halves the run
/// (README, "Speed"). Without transparent huge pages (`no_thp`), a run's
/// peak memory stays close to what it uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    codexgen::run(std::env::args_os())
}
