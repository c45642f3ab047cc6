//! `missive completions SHELL`: a completion script generated from the clap definition.

use clap::Args;
use clap_complete::Shell;

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: CompletionsArgs) -> super::Outcome {
    let mut cmd = super::command();
    clap_complete::generate(args.shell, &mut cmd, "missive", &mut std::io::stdout());
    Ok(super::Status::Ok.into())
}
