// End-to-end test of `missive lsp` with a real LSP client (vscode-languageserver-protocol, the
// library VS Code's own client is built on), over the server's standard input and output.
//
//   node tests/lsp/e2e.mjs PATH/TO/missive
//
// Run by `cargo test --test it lsp::`. Prints one line per check and the re-check latency; exits 1
// on the first failed check.

import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import protocol from "vscode-languageserver-protocol/node";

const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  PublishDiagnosticsNotification,
  CompletionRequest,
  HoverRequest,
  DefinitionRequest,
  CodeActionRequest,
  DocumentFormattingRequest,
  ShutdownRequest,
  ExitNotification,
} = protocol;

const binary = process.argv[2];
if (!binary) {
  console.error("usage: node e2e.mjs PATH/TO/missive");
  process.exit(2);
}

const server = spawn(binary, ["lsp"], { stdio: ["pipe", "pipe", "pipe"] });
let stderr = "";
server.stderr.on("data", (d) => (stderr += d));
const exited = new Promise((resolve) => server.on("exit", (code) => resolve(code)));

const connection = createProtocolConnection(
  new StreamMessageReader(server.stdout),
  new StreamMessageWriter(server.stdin),
);

// Every publishDiagnostics, and waiters for the next one of a document at a version.
const published = [];
const waiters = [];
connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
  published.push(params);
  for (const w of [...waiters]) {
    if (w.uri === params.uri && (w.version === undefined || params.version === w.version)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(params);
    }
  }
});
// No timeout (a slow machine is not a failure): a server that stops fails the waiters.
server.on("exit", (code) => {
  for (const w of waiters.splice(0)) {
    w.reject(new Error(`the server exited (${code}) before diagnostics for ${w.uri} version ${w.version}`));
  }
});
function diagnosticsOf(uri, version) {
  return new Promise((resolve, reject) => {
    waiters.push({ uri, version, resolve, reject });
  });
}
connection.listen();

function ok(what) {
  console.log(`ok - ${what}`);
}

const pos = (line, character) => ({ line, character });
const range = (l1, c1, l2, c2) => ({ start: pos(l1, c1), end: pos(l2, c2) });

async function main() {
  // -- initialize
  const init = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      textDocument: {
        publishDiagnostics: { relatedInformation: true },
        hover: { contentFormat: ["markdown", "plaintext"] },
        completion: { completionItem: { snippetSupport: true } },
      },
    },
    workspaceFolders: null,
  });
  const caps = init.capabilities;
  assert.equal(init.serverInfo.name, "missive");
  assert.equal(caps.textDocumentSync, 2, "incremental sync");
  assert.ok(caps.hoverProvider && caps.definitionProvider && caps.documentFormattingProvider);
  assert.deepEqual(caps.completionProvider.triggerCharacters, ["."]);
  await connection.sendNotification(InitializedNotification.type, {});
  ok("initialize: incremental sync, completion on `.`, hover, definition, formatting, code actions");

  // -- a broken template: three errors, one of them after an emoji (two UTF-16 units)
  const uri = "file:///tmp/missive-e2e/shipped.missive";
  const broken = [
    "notification shipped",
    "input {",
    "  first_name: string max 30",
    "  order: { number: string max 20, url: url }",
    "}",
    'text "😀 Hi {{ frist_name }}, order {{ order.number }} is on its way"',
    "carousel {",
    "  element {",
    '    title: "Order {{ order.number }}"',
    '    subtilte: "Track it"',
    "    image_url = order.url",
    '    button web_url { title: "Track", url: order.url }',
    "  }",
    "}",
    "",
  ].join("\n");
  let next = diagnosticsOf(uri, 1);
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "missive", version: 1, text: broken },
  });
  let diags = (await next).diagnostics;
  assert.deepEqual(
    diags.map((d) => [d.code, d.range]),
    [
      // `frist_name` is column 15 in characters, 16 in UTF-16 units (1-based).
      ["M1001", range(5, 15, 5, 25)],
      ["M1002", range(9, 4, 9, 12)],
      ["M0001", range(10, 14, 10, 15)],
    ],
  );
  assert.ok(diags.every((d) => d.severity === 1 && d.source === "missive"));
  assert.match(diags[0].message, /^`frist_name` is not declared/);
  assert.match(diags[0].message, /help: a variable with a similar name exists: `first_name`/);
  assert.match(diags[1].message, /^unknown field `subtilte` in a carousel element/);
  ok("didOpen of a broken template: M1001, M1002, M0001 at their UTF-16 ranges, with help");

  // -- quick fix for the misspelled field
  const actions = await connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: range(9, 6, 9, 6),
    context: { diagnostics: [diags[1]] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].title, "Replace `subtilte` with `subtitle`");
  assert.deepEqual(actions[0].edit.changes[uri], [
    { range: range(9, 4, 9, 12), newText: "subtitle" },
  ]);
  ok("codeAction: replace `subtilte` with `subtitle`");

  // -- completion of field names in an element, and of members after `order.`
  let items = await connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri },
    position: pos(10, 2),
  });
  const fields = items.map((i) => i.label);
  for (const f of ["subtitle", "image_url", "default_action", "button"]) {
    assert.ok(fields.includes(f), `${f} in ${fields}`);
  }
  assert.ok(!fields.includes("title"), "title is already given");
  const action = items.find((i) => i.label === "default_action");
  assert.equal(action.insertTextFormat, 2, "a snippet");
  assert.equal(action.insertText, "default_action {\n\t$0\n}");
  ok(`completion at a field position: ${fields.join(", ")}`);

  next = diagnosticsOf(uri, 2);
  await connection.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: range(8, 37, 8, 37), text: "\n    subtitle: order." }],
  });
  await next;
  items = await connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri },
    position: pos(9, 20),
    context: { triggerKind: 2, triggerCharacter: "." },
  });
  assert.deepEqual(
    items.map((i) => i.label),
    ["number", "url"],
  );
  ok("completion after `order.`: number, url");

  // -- hover on a field (limit and worst case) and on a path (declared type)
  let hover = await connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: pos(8, 5),
  });
  assert.equal(hover.contents.kind, "markdown");
  assert.match(hover.contents.value, /Limit: \*\*80\*\* characters, limit from profile `iadvize` \(Facebook generic template reference/);
  assert.match(hover.contents.value, /Worst case: 6 to \*\*26\*\* characters/);
  assert.deepEqual(hover.range, range(8, 4, 8, 9));
  hover = await connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: pos(5, 47),
  });
  assert.equal(hover.contents.value, "`order.number`: `string max 20`");
  ok("hover: a field's limit and worst case, a path's declared type");

  // -- definition of an input path
  const def = await connection.sendRequest(DefinitionRequest.type, {
    textDocument: { uri },
    position: pos(5, 47),
  });
  assert.deepEqual(def, { uri, range: range(3, 11, 3, 17) });
  ok("definition: `order.number` -> its declaration in `input`");

  // -- the quick fixes of the whole file applied, and the half-typed line removed: no diagnostics
  let current = applyEdits(broken, [{ range: range(8, 37, 8, 37), newText: "\n    subtitle: order." }]);
  const all = await connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: range(0, 0, 20, 0),
    context: { diagnostics: [] },
  });
  assert.deepEqual(
    all.map((a) => a.title),
    [
      "Replace `frist_name` with `first_name`",
      "Replace `subtilte` with `subtitle`",
      "Replace ` =` with `:`",
    ],
  );
  current = applyEdits(
    current,
    all.flatMap((a) => a.edit.changes[uri]),
  ).replace("    subtitle: order.\n", "");
  next = diagnosticsOf(uri, 3);
  await connection.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 3 },
    contentChanges: [{ text: current }],
  });
  diags = (await next).diagnostics;
  assert.deepEqual(diags, []);
  ok("didChange with the quick fixes applied: diagnostics cleared");

  // -- latency: re-checking a few-hundred-line template after each keystroke
  await latency();

  // -- formatting
  const messy = 'notification shipped\ninput {  first_name:   string max 30 }\ntext   "Hi {{ first_name }}"\n';
  const fmtUri = "file:///tmp/missive-e2e/messy.missive";
  next = diagnosticsOf(fmtUri, 1);
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri: fmtUri, languageId: "missive", version: 1, text: messy },
  });
  await next;
  const edits = await connection.sendRequest(DocumentFormattingRequest.type, {
    textDocument: { uri: fmtUri },
    options: { tabSize: 2, insertSpaces: true },
  });
  assert.ok(Array.isArray(edits) && edits.length > 0, `edits: ${JSON.stringify(edits)}`);
  const formatted = applyEdits(messy, edits);
  assert.notEqual(formatted, messy);
  assert.match(formatted, /^text "Hi \{\{ first_name \}\}"$/m);
  ok(`formatting: ${edits.length} edit(s) -> ${JSON.stringify(formatted)}`);

  // -- shutdown and exit
  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  const code = await exited;
  assert.equal(code, 0, `exit status ${code}; stderr: ${stderr}`);
  ok("shutdown and exit: status 0");
}

/// Applies LSP text edits (non-overlapping) to a text.
function applyEdits(text, edits) {
  const lines = text.split("\n");
  const offset = (p) => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + p.character; // JavaScript strings count UTF-16 units, as LSP positions do
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of sorted) {
    text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  }
  return text;
}

async function latency() {
  const uri = "file:///tmp/missive-e2e/big.missive";
  const lines = [
    "// A large receipt-and-carousel template, to time re-checks.",
    "notification big",
    'customer_id "big-{{ order.number }}"',
    "input {",
    "  first_name?: string max 30",
    "  order: {",
    "    number: string max 20",
    "    url: url",
    "    items: list max 10 of { title: string max 40, image: url, price_label: string max 12 }",
    "  }",
    "}",
    'text "Hi{% if first_name %} {{ first_name }}{% endif %}! Your order {{ order.number }} is confirmed."',
    "carousel {",
  ];
  for (let i = 0; i < 10; i++) {
    lines.push(
      `  // element ${i}`,
      "  element {",
      `    title: "{{ order.number }}: item ${i}"`,
      `    subtitle: "Line ${i} of your order, {{ order.number }}"`,
      "    image_url: order.url",
      "    default_action { url: order.url }",
      `    button web_url { title: "View ${i}", url: order.url }`,
      `    button postback { title: "Help ${i}", payload: "HELP_${i}" }`,
      "  }",
    );
  }
  lines.push(
    "  for item in order.items {",
    "    element {",
    "      title: item.title",
    '      subtitle: "{{ item.price_label }} · {{ item.title | upper }}"',
    "      image_url: item.image",
    "    }",
    "  }",
    "}",
  );
  // Pad to a few hundred lines with comments between the blocks, as real files have.
  const carousel = lines.indexOf("carousel {");
  const padding = [];
  for (let i = 0; padding.length + lines.length < 300; i++) {
    padding.push(`// Note ${i}: the copy team reviews these titles every season; keep them short.`);
  }
  lines.splice(carousel, 0, ...padding);
  const text = lines.join("\n") + "\n";
  let version = 1;
  let next = diagnosticsOf(uri, version);
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "missive", version, text },
  });
  const first = await next;
  assert.ok(
    first.diagnostics.every((d) => d.severity !== 1),
    JSON.stringify(first.diagnostics),
  );
  // Type a word, one keystroke at a time, in the first element's title: each keystroke is one
  // didChange, and the time until its diagnostics arrive is the re-check latency.
  const line = lines.findIndex((l) => l.includes("item 0"));
  const column = lines[line].indexOf("item 0");
  const times = [];
  const word = "Hello ";
  for (let k = 0; k < 40; k++) {
    const ch = word[k % word.length];
    version += 1;
    next = diagnosticsOf(uri, version);
    const t0 = performance.now();
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range: range(line, column + k, line, column + k), text: ch }],
    });
    const p = await next;
    times.push(performance.now() - t0);
    if (k === 0) {
      assert.ok(p.diagnostics.some((d) => d.code === "M2002"), JSON.stringify(p.diagnostics));
    }
    if (k === 39) {
      // 46 more characters: the title may now be too long, a warning, never an error.
      assert.ok(p.diagnostics.every((d) => d.severity !== 1), JSON.stringify(p.diagnostics));
    }
  }
  // Closing the file clears its problems.
  next = diagnosticsOf(uri, undefined);
  await connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  assert.deepEqual((await next).diagnostics, []);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const max = times[times.length - 1];
  ok(
    `latency: ${lines.length}-line template, ${times.length} keystrokes, didChange -> ` +
      `publishDiagnostics median ${median.toFixed(2)} ms, max ${max.toFixed(2)} ms; didClose clears`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`FAILED: ${e.stack ?? e}`);
    if (stderr) console.error(`server stderr:\n${stderr}`);
    server.kill();
    process.exit(1);
  },
);
