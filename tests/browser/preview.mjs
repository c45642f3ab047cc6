// Opens missive's preview pages in headless Chromium (Debian's, by path) and prints, as one
// JSON document on stdout, what the Rust test asserts on: the DOM facts of each page, every
// request the page made, and html-validate's verdict. Screenshots go to the folder given.
//
// usage: node preview.mjs CONFIG.json
//   CONFIG: {"chromium": PATH, "userDataDir": DIR, "screenshots": DIR,
//            "pages": [{"name": NAME, "file": ABSOLUTE_PATH}]}
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { HtmlValidate } from "html-validate";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const validator = new HtmlValidate({ extends: ["html-validate:recommended"] });

const context = await chromium.launchPersistentContext(config.userDataDir, {
  executablePath: config.chromium,
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  viewport: { width: 1100, height: 900 },
});
const results = [];
try {
  for (const { name, file } of config.pages) {
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });
    const dom = await page.evaluate(() => {
      const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : null);
      const q = (s) => document.querySelector(s);
      return {
        receipt: q(".receipt") && {
          items: [...document.querySelectorAll(".receipt-item")].map((i) => text(i.querySelector(".item-title"))),
          paidWith: text(q(".receipt-row.paid-with .value")),
          shipTo: text(q(".receipt-row.ship-to .value")),
          total: text(q(".receipt-row.total .value")),
        },
        clamped: [...document.querySelectorAll(".clamp-1, .clamp-2")].map((el) => {
          const style = getComputedStyle(el);
          return {
            text: text(el),
            cut: el.classList.contains("cut"),
            lineClamp: style.webkitLineClamp,
            scrollHeight: el.scrollHeight,
            clientHeight: el.clientHeight,
          };
        }),
        carousels: [...document.querySelectorAll(".carousel")].map((c) => ({
          cards: c.querySelectorAll(".generic-card").length,
          scrollWidth: c.scrollWidth,
          clientWidth: c.clientWidth,
        })),
        diagnostics: [...document.querySelectorAll(".diagnostics .diagnostic")].map((d) => d.dataset.code),
        scripts: document.querySelectorAll("script").length,
      };
    });
    await page.screenshot({ path: `${config.screenshots}/${name}.png`, fullPage: true });
    const report = await validator.validateFile(file);
    const messages = report.results.flatMap((r) =>
      r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
    results.push({ name, url, requests, dom, valid: report.valid, messages });
    await page.close();
  }
} finally {
  await context.close();
}
console.log(JSON.stringify(results));
