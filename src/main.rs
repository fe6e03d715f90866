use std::process::ExitCode;

fn main() -> ExitCode {
    codexgen::run(std::env::args_os())
}
