//! `missive explain [CODE]`: the long explanation of a diagnostic code, or the catalog of all.

use clap::Args;

use missive::Code;

#[derive(Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as M2001; without one, the catalog of every code.
    code: Option<String>,
}

pub fn run(args: ExplainArgs) -> u8 {
    let Some(code) = args.code else {
        print!("{}", catalog());
        return super::OK;
    };
    match Code::parse(&code) {
        Some(code) => {
            print!("{}", code.explanation());
            super::OK
        }
        None => {
            eprintln!("error[{}]: unknown diagnostic code `{code}`", Code::Usage);
            eprintln!("  help: codes look like `M2001`; `missive explain` lists them all");
            super::FAILURE
        }
    }
}

/// One line per code, as `docs/codes/README.md` lists them.
pub fn catalog() -> String {
    Code::ALL
        .iter()
        .map(|c| format!("{c}  {}\n", c.summary()))
        .collect()
}
