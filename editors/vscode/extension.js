// A minimal VS Code client for `missive lsp`: it starts the server for `.missive` files and
// leaves everything else (diagnostics, completion, hover, definition, formatting, quick fixes)
// to the Language Server Protocol.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("missive");
  // No `--profile` unless one is set: the flag would override the project file's `profile`.
  const profile = config.get("profile", "");
  const server = {
    command: config.get("path", "missive"),
    args: profile ? ["--profile", profile, "lsp"] : ["lsp"],
  };
  client = new LanguageClient("missive", "missive", server, {
    documentSelector: [{ language: "missive" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
