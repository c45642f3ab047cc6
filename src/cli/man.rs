//! `missive man`: man pages (roff) generated from the clap definition.

use std::path::PathBuf;

use clap::Args;

use missive::{Code, Diagnostic};

use super::{usage, Common, Stream};

#[derive(Args)]
pub struct ManArgs {
    /// Write `missive.1` and one `missive-COMMAND.1` per command into this folder, instead of
    /// printing `missive.1`.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

pub fn run(common: &Common, args: ManArgs) -> u8 {
    let cmd = super::command();
    let Some(dir) = args.out_dir else {
        let mut out = Vec::new();
        if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
            return failed(common, "-", &e);
        }
        use std::io::Write;
        return match std::io::stdout().lock().write_all(&out) {
            Ok(()) => super::OK,
            Err(e) => failed(common, "-", &e),
        };
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return failed(common, &dir.to_string_lossy(), &e);
    }
    if let Err(e) = clap_mangen::generate_to(cmd, &dir) {
        return failed(common, &dir.to_string_lossy(), &e);
    }
    super::OK
}

fn failed(common: &Common, what: &str, e: &std::io::Error) -> u8 {
    usage(
        common,
        Stream::Stderr,
        what,
        Diagnostic::error(
            Code::Io,
            format!("cannot write `{what}`: {}", super::io_reason(e, what)),
        )
        .help("check that the folder exists and is writable"),
    )
}
