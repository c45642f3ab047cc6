// The TextMate grammar, tokenized by VS Code's own engine (vscode-textmate with the real
// Oniguruma, as WASM): every regex must compile, and a sample template must get the scopes an
// editor colours by.
//
//   node tests/lsp/textmate.mjs PATH/TO/missive.tmLanguage.json
//
// Run by `cargo test --test it textmate::`. Exits 1 on the first wrong scope.

import fs from "node:fs";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import textmate from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const require = createRequire(import.meta.url);
const grammarPath = process.argv[2];
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));

const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === "source.missive"
      ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath)
      : null,
});
// Every regex compiles in Oniguruma (vscode-textmate compiles a rule only when it is reached).
const raw = JSON.parse(fs.readFileSync(grammarPath, "utf8"));
let regexes = 0;
(function walk(node) {
  if (Array.isArray(node)) return node.forEach(walk);
  if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (["match", "begin", "end"].includes(key)) {
        try {
          new oniguruma.OnigScanner([value]).dispose();
        } catch (e) {
          throw new Error(`the ${key} regex ${JSON.stringify(value)} does not compile: ${e}`);
        }
        regexes += 1;
      } else {
        walk(value);
      }
    }
  }
})(raw);

const grammar = await registry.loadGrammar("source.missive");
assert.ok(grammar, "the grammar loads under source.missive");

const sample = `// A comment
notification back_in_stock "Back in stock"
input {
  first_name?: string max 40
  items: list max 10 of { title: string }
}
text "Hi {{ first_name | upper }}\\n{% if first_name %}!{% endif %}{# note #}{{ 'x' }}"
carousel {
  for item in items {
    element {
      title: item.title
      sharable: true
      button web_url { title: "Buy", url: "https://x.example" }
    }
  }
}
receipt {
  summary { total_cost: 75.00 }
}
text """
  Hello {{ first_name }}
  """
`;

// Every token with its scopes, line by line.
const tokens = [];
let state = textmate.INITIAL;
for (const line of sample.split("\n")) {
  const r = grammar.tokenizeLine(line, state);
  for (const t of r.tokens) {
    tokens.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
  }
  state = r.ruleStack;
}

let checks = 0;
function expect(text, scope, nth = 0) {
  const found = tokens.filter((t) => t.text === text);
  assert.ok(found.length > nth, `no token ${JSON.stringify(text)} (#${nth})`);
  const scopes = found[nth].scopes;
  assert.ok(
    scopes.some((s) => s.startsWith(scope)),
    `${JSON.stringify(text)} (#${nth}) has ${scopes.join(" ")}, expected ${scope}`,
  );
  checks += 1;
}

expect("// A comment", "comment.line.double-slash");
expect("notification", "keyword.other");
expect("first_name", "variable.other.property");
expect("?", "keyword.operator.optional");
expect("string", "storage.type");
expect("max", "storage.type");
expect("40", "constant.numeric");
expect("of", "storage.type");
expect("{{", "punctuation.section.embedded.begin");
expect("first_name", "variable.other", 1);
expect("first_name", "meta.embedded.expression", 1);
expect("upper", "support.function.filter");
expect("\\n", "constant.character.escape");
expect("if", "keyword.control.jinja");
expect("carousel", "entity.name.type.block");
expect("for", "keyword.control");
expect("in", "keyword.control");
expect("element", "entity.name.type.block");
expect("title", "variable.other.property");
expect("item.title", "variable.other");
expect("true", "constant.language");
expect("button", "entity.name.type.block");
expect("web_url", "support.constant.button-type");
expect("Buy", "string.quoted.double");
expect("summary", "entity.name.type.block");
expect("75.00", "constant.numeric");
expect('"""', "string.quoted.triple");
expect("  Hello ", "string.quoted.triple");
expect(" note ", "comment.block.jinja");
expect("'x'", "string.quoted.single");
expect("first_name", "meta.embedded.expression", 3);

console.log(`ok - textmate: ${regexes} regexes compile in Oniguruma; ${checks} scopes as expected`);
