//! `missive lsp`: the language server, over standard input and output.

use missive::diagnostic::codes;
use missive::Severity;

use super::{Common, Exit, Outcome, Session, Status, Stream};

pub fn run(common: &Common) -> Outcome {
    // Standard output carries the protocol: every report goes to standard error.
    // `--profile` applies to every document; without it, each document takes the profile of the
    // project file nearest to it (the editor may start the server anywhere), and the default is
    // that of the project file of the folder the server starts in.
    let per_document: Option<missive::lsp::ProfileFor> = common
        .profile
        .is_none()
        .then(|| Box::new(super::project::profile_for_file) as missive::lsp::ProfileFor);
    let profile = Session::open(common, Stream::Stderr)?.profile(Stream::Stderr)?;
    missive::lsp::run_stdio(profile, per_document).map_err(|e| {
        let d = codes::m9001_io(Severity::Error, format!("language server stopped: {e}"))
            .help("the client closed the connection or sent a message that is not LSP");
        Exit::usage(Stream::Stderr, "", d)
    })?;
    Ok(Status::Ok.into())
}
