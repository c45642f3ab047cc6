// The grammar lives in editors/textmate; the extension ships a copy of it (an extension can
// only read files inside its own folder).
const fs = require("node:fs");
const path = require("node:path");
fs.mkdirSync(path.join(__dirname, "syntaxes"), { recursive: true });
fs.copyFileSync(
  path.join(__dirname, "..", "textmate", "missive.tmLanguage.json"),
  path.join(__dirname, "syntaxes", "missive.tmLanguage.json"),
);
