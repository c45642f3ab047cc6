// A minimal VS Code client for `missive lsp`: it starts the server for `.missive` files and
// leaves everything else (diagnostics, completion, hover, definition, formatting, quick fixes)
// to the Language Server Protocol.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("missive");
  const server = {
    command: config.get("path", "missive"),
    args: ["--profile", config.get("profile", "iadvize"), "lsp"],
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
