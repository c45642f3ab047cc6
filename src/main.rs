//! The `missive` command: a thin shell over the library. It maps outcomes to exit statuses:
//! 0 success (warnings allowed), 1 diagnostics with errors, 2 usage or I/O failure.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os().collect())
}
