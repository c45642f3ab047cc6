// Loads editors/vscode/extension.js with stand-ins for `vscode` and `vscode-languageclient`,
// with the settings VS Code would give it (each setting's default from package.json, then the
// values given as JSON in argv[2]), and prints the command line it starts the server with.
const Module = require("node:module");
const path = require("node:path");

const ext = path.join(__dirname, "..", "..", "editors", "vscode");
const manifest = require(path.join(ext, "package.json"));
const settings = {};
for (const [key, spec] of Object.entries(manifest.contributes.configuration.properties)) {
  settings[key.replace(/^missive\./, "")] = spec.default;
}
Object.assign(settings, JSON.parse(process.argv[2] || "{}"));

let started;
const fakes = {
  vscode: {
    workspace: {
      getConfiguration: () => ({ get: (key, fallback) => (key in settings ? settings[key] : fallback) }),
    },
  },
  "vscode-languageclient/node": {
    LanguageClient: class {
      constructor(id, name, server) {
        started = server;
      }
      start() {}
      stop() {}
    },
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request in fakes ? fakes[request] : load.call(this, request, ...rest);
};
require(path.join(ext, "extension.js")).activate({ subscriptions: [] });
console.log(JSON.stringify([started.command, ...started.args]));
