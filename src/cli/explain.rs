//! `missive explain CODE`: the long explanation of a diagnostic code.

use clap::Args;

use missive::Code;

#[derive(Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as M2001.
    code: String,
}

pub fn run(args: ExplainArgs) -> u8 {
    match Code::parse(&args.code) {
        Some(code) => {
            print!("{}", code.explanation());
            super::OK
        }
        None => {
            eprintln!(
                "error[{}]: unknown diagnostic code `{}`",
                Code::Usage,
                args.code
            );
            eprintln!("  help: codes look like `M2001`; the catalog is in docs/codes/");
            super::FAILURE
        }
    }
}
