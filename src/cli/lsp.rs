//! `missive lsp`: the language server, over standard input and output.

use missive::{Code, Diagnostic};

use super::{Common, Stream};

pub fn run(common: &Common) -> u8 {
    // Standard output carries the protocol: every report goes to standard error.
    // `--profile` applies to every document; without it, each document takes the profile of the
    // project file nearest to it (the editor may start the server anywhere), and the default is
    // that of the project file of the folder the server starts in.
    let per_document: Option<missive::lsp::ProfileFor> = common
        .profile
        .is_none()
        .then(|| Box::new(super::project::profile_for_file) as missive::lsp::ProfileFor);
    let common = match super::with_project(common, Stream::Stderr) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let common = &common;
    let profile = match super::profile(common) {
        Ok(p) => p,
        Err(d) => return super::usage(common, Stream::Stderr, "", d),
    };
    match missive::lsp::run_stdio(profile, per_document) {
        Ok(()) => super::OK,
        Err(e) => {
            let d = Diagnostic::error(Code::Io, format!("language server stopped: {e}"))
                .help("the client closed the connection or sent a message that is not LSP");
            super::usage(common, Stream::Stderr, "", d)
        }
    }
}
