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
    // The release profile aborts on a panic (`panic = "abort"`: no unwinding
    // tables, a smaller binary; docs/building.md). A panic would then end the
    // run by SIGABRT; after the usual message it exits 101 instead, as an
    // unwinding build does, so scripts and the no-panic tests see one status.
    // What a run leaves behind is what a killed run leaves: temp files the
    // next writing run removes.
    #[cfg(panic = "abort")]
    {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            report(info);
            std::process::exit(101);
        }));
    }
    codexgen::run(std::env::args_os())
}
