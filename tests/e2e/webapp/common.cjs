// Shared pieces of the browser tests (tests/e2e/webapp_*.py start `arca serve` and run one
// script each): checks, TOTP, screenshots, axe-core, the first sign-in, worklist helpers and the
// run wrapper that launches Debian's Chromium through playwright-core from web/node_modules.
// Input in the environment: ARCA_URL, SHOTS_DIR, WEB_DIR, CHROMIUM (and EXPECT per script).
"use strict";
const crypto = require("node:crypto");
const path = require("node:path");
const { createRequire } = require("node:module");

const webRequire = createRequire(path.join(process.env.WEB_DIR, "package.json"));
const { chromium } = webRequire("playwright-core");
const AXE_SOURCE = require("node:fs").readFileSync(webRequire.resolve("axe-core/axe.min.js"), "utf8");
const URL = process.env.ARCA_URL;
const SHOTS = process.env.SHOTS_DIR;


function check(ok, what, detail) {
  if (!ok) throw new Error(`${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  console.log(`ok - ${what}`);
}

function sameSet(a, b) {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

// RFC 6238 with HMAC-SHA-1, 30 s steps, 6 digits.
function totp(secretBase32, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

// WCAG 2.1 A/AA checks of the current screen with axe-core (evaluated through the DevTools
// protocol, which the page's CSP does not govern). Any violation fails the run.
async function accessible(page, screen) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  });
  check(violations.length === 0, `${screen}: no WCAG 2.1 AA violation found by axe`, violations);
}

async function heading(page, name) {
  await page.getByRole("heading", { name, level: 1 }).waitFor({ timeout: 15_000 });
}

// Watches a page: CSP violations and uncaught errors fail the run; main-frame URLs are kept.
function watch(page, label) {
  const state = { urls: [], problems: [] };
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) state.problems.push(`${label}: ${m.text()}`);
  });
  page.on("pageerror", (e) => state.problems.push(`${label}: ${e.message}`));
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) state.urls.push(f.url());
  });
  return state;
}

// First sign-in of a new account: one-time password, new password, TOTP enrolment, codes; then
// the account's first screen (`landing`: the worklist, or the audit trail for an auditor).
async function firstSignIn(page, username, oneTime, newPassword, tag, landing = "Worklist") {
  await heading(page, "Sign in");
  if (tag !== null) await shot(page, `${tag}01-sign-in`);
  if (tag !== null) await accessible(page, "sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(oneTime);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(page, "Choose a new password");
  // A mismatch is caught before the server is asked.
  await page.getByLabel("Current password").fill(oneTime);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password").fill(newPassword + "x");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("alert").filter({ hasText: "differ" }).waitFor({ timeout: 5_000 });
  await page.getByLabel("Repeat the new password").fill(newPassword);
  if (tag !== null) await shot(page, `${tag}02-change-password`);
  if (tag !== null) await accessible(page, "change password");
  await page.getByRole("button", { name: "Change password" }).click();
  const enrol = page.getByRole("heading", { name: "Set up two-factor sign-in", level: 1 });
  await enrol.or(page.getByRole("alert").filter({ hasNotText: "differ" })).first().waitFor({ timeout: 15_000 });
  if (!(await enrol.count())) throw new Error(`${username}: password change refused: ${await page.getByRole("alert").textContent()}`);
  check((await page.locator(".qr svg path").count()) === 1, `${username}: the enrolment screen shows the QR code`);
  await page.getByText("Can't scan? Enter the key by hand").click();
  const secret = (await page.locator("#totp-secret").textContent()).replace(/\s/g, "");
  check(/^[A-Z2-7]{16,}$/.test(secret), `${username}: the secret is shown for manual entry`);
  if (tag !== null) await shot(page, `${tag}03-enrol-totp`);
  if (tag !== null) await accessible(page, "enrolment");
  // A wrong code is refused with a message, then the right one is accepted.
  const right = totp(secret);
  const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, "0");
  await page.getByLabel("Code from the app").fill(wrong);
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("alert").waitFor({ timeout: 10_000 });
  check(true, `${username}: a wrong enrolment code is refused`);
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  await heading(page, "Save your recovery codes");
  const codes = await page.locator(".codes li").allTextContents();
  check(codes.length === 10 && new Set(codes).size === 10, `${username}: ten distinct recovery codes`, codes.length);
  const go = page.getByRole("button", { name: "Continue" });
  check(await go.isDisabled(), `${username}: Continue waits for the confirmation`);
  if (tag !== null) await shot(page, `${tag}04-recovery-codes`);
  if (tag !== null) await accessible(page, "recovery codes");
  await page.getByLabel("I have saved these recovery codes somewhere safe").check();
  await go.click();
  await heading(page, landing);
  return secret;
}

const status = (page) => page.locator("#results-status");

async function settled(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector("#results-status");
    return s && s.textContent && s.textContent !== "Searching…";
  }, null, { timeout: 15_000 });
}

async function rows(page) {
  return page.$$eval("table.studies tbody tr", (trs) =>
    trs.map((tr) => ({
      name: tr.querySelector("th").textContent,
      modality: tr.querySelector('td[data-label="Modality"]').textContent,
      href: tr.querySelector("a.open")?.getAttribute("href") ?? null,
    })),
  );
}

const uidOf = (href) => decodeURIComponent(href.split("StudyInstanceUIDs=")[1]);

// Walks every page of the current result; returns the study UIDs in order.
async function allPages(page) {
  const uids = [];
  for (let i = 0; i < 100; i++) {
    await settled(page);
    const r = await rows(page);
    check(r.length <= 10, `page ${i + 1} holds at most 10 rows`, r.length);
    uids.push(...r.map((x) => uidOf(x.href)));
    const next = page.getByRole("button", { name: "Next page" });
    if (await next.isDisabled()) return uids;
    await next.click();
  }
  throw new Error("more than 100 pages");
}

async function search(page) {
  await page.getByRole("button", { name: "Search" }).click();
  await settled(page);
}

// A user created by an admin page through the API the admin screens use.
async function createUser(adminPage, username, role) {
  return adminPage.evaluate(
    async ([username, role]) => {
      const me = await (await fetch("/api/v1/me")).json();
      const res = await fetch("/api/v1/users", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
        body: JSON.stringify({ username, roles: [role] }),
      });
      return { status: res.status, body: await res.json() };
    },
    [username, role],
  );
}

const CONTEXT_OPTIONS = { ignoreHTTPSErrors: true, viewport: { width: 1366, height: 860 } };

// Runs body(browser) in a fresh headless Chromium, bounded in time; on failure every open page
// is captured as failure-N.png and the process exits non-zero.
function run(body, minutes = 6) {
  setTimeout(() => {
    console.error(`FAIL: the browser run took more than ${minutes} minutes`);
    process.exit(2);
  }, minutes * 60_000).unref();
  const go = async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true, args: ["--no-sandbox"] });
    try {
      await body(browser);
    } catch (e) {
      let n = 0;
      for (const c of browser.contexts())
        for (const p of c.pages()) await p.screenshot({ path: path.join(SHOTS, `failure-${++n}.png`) }).catch(() => {});
      throw e;
    } finally {
      await browser.close();
    }
  };
  go().then(
    () => console.log("browser checks passed"),
    (e) => {
      console.error(`FAIL: ${e.stack || e}`);
      process.exit(1);
    },
  );
}

module.exports = {
  URL, SHOTS, CONTEXT_OPTIONS, check, sameSet, totp, shot, accessible, heading, watch, firstSignIn,
  status, settled, rows, uidOf, allPages, search, createUser, run,
};
