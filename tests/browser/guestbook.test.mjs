// cppapp in a real browser (Debian's Chromium through playwright-core): the pages render with
// their stylesheet and without console errors or CSP violations, the guestbook form works with
// the mouse and with the keyboard alone, and script payloads in entries are shown as text and
// never run. Screenshots go to CPPAPP_ARTIFACTS_DIR (ctest: <build>/artifacts/browser).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";

import { startServer } from "./server.mjs";

const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const ARTIFACTS = process.env.CPPAPP_ARTIFACTS_DIR || join(process.cwd(), "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // A fresh --user-data-dir: playwright creates one per launch and removes it after.
    ],
  });
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, "cppapp exits cleanly after SIGTERM");
});

/** A fresh page that records console errors, page errors, CSP violations and dialogs. */
async function watchedPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("response", (response) => {
    // Browsers ask for /favicon.ico on their own; nodeapp has none either (404 by design).
    if (response.status() >= 400 && new URL(response.url()).pathname !== "/favicon.ico") {
      problems.push(`HTTP ${response.status()} ${response.url()}`);
    }
  });
  page.on("console", (message) => {
    // "Failed to load resource" repeats a response above (kept there, with its URL).
    if (message.type() === "error" && message.text().startsWith("Failed to load resource")) return;
    if (message.type() === "error" || /Content.Security.Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const finish = async (name) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    const violations = await page.evaluate(() => window.__cspViolations);
    await context.close();
    return [...problems, ...violations.map((v) => `CSP violation: ${v}`)];
  };
  return { page, finish };
}

/** Submits the form with `action` and waits for the page the 303 leads back to. */
async function submitted(page, action) {
  const posted = page.waitForResponse((r) => r.request().method() === "POST");
  const reloaded = page.waitForResponse((r) => r.request().method() === "GET" && r.url().endsWith("/app1/guestbook"));
  await action();
  assert.equal((await posted).status(), 303);
  assert.equal((await reloaded).status(), 200);
  await page.waitForLoadState("load");
}

describe("pages", () => {
  test("the index shows Hello World! without errors", async () => {
    const { page, finish } = await watchedPage();
    const response = await page.goto(`${server.origin}/app1/`);
    assert.equal(response.status(), 200);
    assert.equal((await page.locator(".content").innerText()).trim(), "Hello World!");
    assert.ok(response.headers()["content-security-policy"], "helmet's CSP is sent");
    assert.deepEqual(await finish("index"), []);
  });

  test("the guestbook page applies its stylesheet without errors", async () => {
    const { page, finish } = await watchedPage();
    const stylesheet = page.waitForResponse((r) => r.url().endsWith("/app1/public/css/site.css"));
    const response = await page.goto(`${server.origin}/app1/guestbook`);
    assert.equal(response.status(), 200);
    assert.equal((await stylesheet).status(), 200);
    const styles = await page.evaluate(() => ({
      sheets: [...document.styleSheets].map((sheet) => [sheet.href, sheet.cssRules.length]),
      background: getComputedStyle(document.documentElement).backgroundColor,
      content: getComputedStyle(document.querySelector(".content")).backgroundColor,
    }));
    assert.equal(styles.sheets.length, 1);
    assert.ok(styles.sheets[0][1] > 10, "the stylesheet's rules are loaded");
    assert.equal(styles.background, "rgb(246, 248, 250)", "site.css's --background is applied");
    assert.equal(styles.content, "rgb(255, 255, 255)");
    assert.deepEqual(await finish("guestbook"), []);
  });
});

describe("guestbook form", () => {
  test("posting shows the new entry; script payloads stay text and never run", async () => {
    const { page, finish } = await watchedPage();
    await page.goto(`${server.origin}/app1/guestbook`);
    const name = `<script>window.__pwned = "name"; alert(1)</script>`;
    const message = `<img src=x onerror="window.__pwned = 'message'; alert(2)"> "quotes" & <b>bold</b>`;
    await page.fill("#name", name);
    await page.fill("#message", message);
    await submitted(page, () => page.click("button[type=submit]"));
    const first = page.locator("ol.entries li.entry").first();
    assert.equal(await first.locator(".entry-meta strong").innerText(), name);
    assert.equal(await first.locator(".entry-message").innerText(), message);
    const executed = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      images: document.querySelectorAll("ol.entries img").length,
      scripts: document.querySelectorAll("ol.entries script").length,
      bold: document.querySelectorAll("ol.entries b").length,
    }));
    assert.deepEqual(executed, { pwned: null, images: 0, scripts: 0, bold: 0 });
    assert.deepEqual(await finish("guestbook-xss-payload"), []);
  });

  test("an invalid entry is refused with a message next to the field", async () => {
    const { page, finish } = await watchedPage();
    await page.goto(`${server.origin}/app1/guestbook`);
    await page.fill("#name", "Ada");
    await page.fill("#message", "   ");
    await page.click("button[type=submit]");
    await page.waitForSelector("#message-error");
    assert.equal(await page.getAttribute("#message", "aria-invalid"), "true");
    assert.equal(await page.inputValue("#name"), "Ada", "what was typed is kept");
    // The form's own answer is a 4xx (the page shows why); nothing else may fail.
    const problems = (await finish("guestbook-invalid")).filter((p) => !/^HTTP 4\d\d .*\/app1\/guestbook$/.test(p));
    assert.deepEqual(problems, []);
  });

  test("the form works with the keyboard alone", async () => {
    const { page, finish } = await watchedPage();
    await page.goto(`${server.origin}/app1/guestbook`);
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "name", "the first Tab reaches the name field");
    await page.keyboard.type("Keyboard User");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "message");
    await page.keyboard.type("Typed without a mouse.\nSecond line.");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "BUTTON");
    const button = await page.evaluate(() => getComputedStyle(document.activeElement).backgroundColor);
    assert.equal(button, "rgb(5, 80, 174)", "the focused button shows its focus style");
    await page.screenshot({ path: join(ARTIFACTS, "guestbook-keyboard-focus.png"), fullPage: true });
    await submitted(page, () => page.keyboard.press("Enter"));
    const first = page.locator("ol.entries li.entry").first();
    assert.equal(await first.locator(".entry-meta strong").innerText(), "Keyboard User");
    // The line break is stored; the page's CSS shows it as ordinary white space.
    assert.match(await first.locator(".entry-message").textContent(), /^Typed without a mouse\.\s+Second line\.$/);
    assert.deepEqual(await finish("guestbook-keyboard"), []);
  });
});
