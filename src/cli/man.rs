//! `missive man`: man pages (roff) generated from the clap definition.

use std::path::PathBuf;

use clap::Args;

use missive::diagnostic::codes;
use missive::Severity;

use super::{Exit, Outcome, Status, Stream};

#[derive(Args)]
pub struct ManArgs {
    /// Write `missive.1` and one `missive-COMMAND.1` per command into this folder, instead of
    /// printing `missive.1`.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

pub fn run(args: ManArgs) -> Outcome {
    let cmd = super::command();
    let Some(dir) = args.out_dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut out)
            .map_err(|e| failed("-", &e))?;
        use std::io::Write;
        std::io::stdout()
            .lock()
            .write_all(&out)
            .map_err(|e| failed("-", &e))?;
        return Ok(Status::Ok.into());
    };
    let shown = dir.to_string_lossy().into_owned();
    std::fs::create_dir_all(&dir).map_err(|e| failed(&shown, &e))?;
    clap_mangen::generate_to(cmd, &dir).map_err(|e| failed(&shown, &e))?;
    Ok(Status::Ok.into())
}

fn failed(what: &str, e: &std::io::Error) -> Exit {
    Exit::usage(
        Stream::Stderr,
        what,
        codes::m9001_io(
            Severity::Error,
            format!("cannot write `{what}`: {}", super::io_reason(e, what)),
        )
        .help("check that the folder exists and is writable"),
    )
}
