// The browser half of webapp_test.py: Debian's Chromium, driven by playwright-core from
// web/node_modules, against the `arca serve` that the Python half started on loopback.
// Input in the environment: ARCA_URL, ARCA_OTP (the admin's one-time password), EXPECT (ground
// truth from the imported files), SHOTS_DIR, WEB_DIR, CHROMIUM. Exits non-zero on the first
// failed check. Bounded: every wait times out, and the whole run stops after 6 minutes.
"use strict";
const crypto = require("node:crypto");
const path = require("node:path");
const { createRequire } = require("node:module");

const webRequire = createRequire(path.join(process.env.WEB_DIR, "package.json"));
const { chromium } = webRequire("playwright-core");
const AXE_SOURCE = require("node:fs").readFileSync(webRequire.resolve("axe-core/axe.min.js"), "utf8");
const URL = process.env.ARCA_URL;
const EXPECT = JSON.parse(process.env.EXPECT);
const SHOTS = process.env.SHOTS_DIR;
const NEW_ADMIN_PASSWORD = "correct horse battery staple 42";
const NEW_DESK_PASSWORD = "front desk opens at eight";

setTimeout(() => {
  console.error("FAIL: the browser run took more than 6 minutes");
  process.exit(2);
}, 360_000).unref();

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

// First sign-in of a new account: one-time password, new password, TOTP enrolment, codes.
async function firstSignIn(page, username, oneTime, newPassword, tag) {
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
  await heading(page, "Worklist");
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

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true, args: ["--no-sandbox"] });
  try {
    const contextOptions = { ignoreHTTPSErrors: true, viewport: { width: 1366, height: 860 } };
    const admin = await browser.newContext(contextOptions);
    const page = await admin.newPage();
    page.setDefaultTimeout(15_000);
    const seen = watch(page, "admin");
    await page.goto(`${URL}/`);
    check(new globalThis.URL(page.url()).pathname === "/app/", "/ redirects to /app/", page.url());
    await firstSignIn(page, "admin", process.env.ARCA_OTP, NEW_ADMIN_PASSWORD, "");

    // Worklist: the first page, then every page at 10 rows.
    await settled(page);
    let r = await rows(page);
    check(r.length === Math.min(25, EXPECT.all.length), "the first page lists 25 studies", r.length);
    check(r.every((x) => /^\/viewer\?StudyInstanceUIDs=[0-9.]+$/.test(x.href)), "every row links to the OHIF viewer by UID only");
    await shot(page, "05-worklist");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "06-worklist-phone", false);
    await accessible(page, "worklist on a phone");
    await page.setViewportSize(contextOptions.viewport);
    // The series preview of the study with the most series.
    const studyRow = page.locator("table.studies tbody tr", { has: page.locator(`a.open[href="/viewer?StudyInstanceUIDs=${encodeURIComponent(EXPECT.series_uid)}"]`) });
    const toggle = studyRow.locator(".series-toggle");
    await toggle.click();
    await page.locator("table.series tbody tr").first().waitFor();
    const seriesRows = await page.locator("table.series tbody tr").count();
    check(seriesRows === EXPECT.series_count && (await toggle.getAttribute("aria-expanded")) === "true", "the series preview lists the study's series", { got: seriesRows, want: EXPECT.series_count });
    await shot(page, "05b-worklist-series");
    await accessible(page, "worklist with a series preview");
    await toggle.click();
    check((await page.locator("table.series").count()) === 0, "the series preview closes again");
    await page.getByLabel("Rows per page").selectOption("10");
    let uids = await allPages(page);
    check(uids.length === new Set(uids).size, "paging shows no study twice");
    check(sameSet(uids, EXPECT.all), "paging through the worklist shows every study", { got: uids.length, want: EXPECT.all.length });
    await page.getByRole("button", { name: "Previous page" }).click();
    await settled(page);
    check(/^Studies \d+–\d+/.test(await status(page).textContent()), "Previous page goes back");

    // Filters.
    await page.getByLabel("Patient name").fill(EXPECT.name_term);
    await search(page);
    await shot(page, "07-worklist-by-name");
    uids = await allPages(page);
    check(sameSet(uids, EXPECT.name_uids), `patient name "${EXPECT.name_term}" finds its studies`, { got: uids, want: EXPECT.name_uids });
    await page.getByRole("button", { name: "Clear" }).click();
    await settled(page);
    await page.getByLabel("Modality").selectOption(EXPECT.modality);
    await search(page);
    uids = await allPages(page);
    check(sameSet(uids, EXPECT.modality_uids), `modality ${EXPECT.modality} finds its studies`, { got: uids.length, want: EXPECT.modality_uids.length });
    check((await rows(page)).every((x) => x.modality.includes(EXPECT.modality)), "every row shows the modality");
    await page.getByRole("button", { name: "Clear" }).click();
    await settled(page);
    await page.getByLabel("Study date").selectOption("today");
    await search(page);
    check((await status(page).textContent()) === "No studies match.", "Today finds none of the corpus' old studies");
    await page.getByLabel("Study date").selectOption("7d");
    await search(page);
    check((await status(page).textContent()) === "No studies match.", "Last 7 days finds none either");
    await page.getByLabel("Study date").selectOption("range");
    await page.getByLabel("From").fill(EXPECT.date);
    await page.getByLabel("To").fill(EXPECT.date);
    await search(page);
    await shot(page, "08-worklist-by-date");
    uids = await allPages(page);
    check(sameSet(uids, EXPECT.date_uids), `date range ${EXPECT.date} finds its studies`, { got: uids, want: EXPECT.date_uids });

    // The OHIF viewer, from the worklist's link, renders the CT's pixels.
    const link = page.locator(`a.open[href="/viewer?StudyInstanceUIDs=${encodeURIComponent(EXPECT.viewer_uid)}"]`);
    await page.getByRole("button", { name: "Clear" }).click();
    await settled(page);
    const href = await link.getAttribute("href");
    const v = await admin.newPage();
    const viewerSeen = watch(v, "viewer");
    const bundles = [];
    v.on("response", (res) => {
      if (/\/app\.bundle\.[0-9a-f]{16}\.js$/.test(res.url()))
        bundles.push({ encoding: res.headers()["content-encoding"], cache: res.headers()["cache-control"] });
    });
    await v.goto(`${URL}${href}`);
    await v.waitForLoadState("domcontentloaded");
    const stats = await v.waitForFunction(() => {
      for (const c of document.querySelectorAll("canvas.cornerstone-canvas, .viewport-element canvas")) {
        if (c.width < 64 || c.height < 64) continue;
        const ctx = c.getContext("2d");
        if (!ctx) continue;
        const w = Math.floor(c.width / 2), hgt = Math.floor(c.height / 2);
        const d = ctx.getImageData(Math.floor(w / 2), Math.floor(hgt / 2), w, hgt).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add(d[i]);
        if (seen.size > 16) return { width: c.width, height: c.height, levels: seen.size };
      }
      return null;
    }, null, { timeout: 90_000, polling: 1000 });
    check(true, "OHIF renders the study's pixels", await stats.jsonValue());
    check(bundles.length === 1 && bundles[0].encoding === "gzip" && /immutable/.test(bundles[0].cache), "OHIF's bundle arrives gzipped and immutable", bundles);
    await v.waitForTimeout(1500);
    await shot(v, "09-viewer", false);
    // Window/level: a drag on the image (OHIF's default left-button tool) changes W and L.
    const windowLevel = () => v.evaluate(() => (document.body.innerText.match(/W:\s*(-?\d+)\s*L:\s*(-?\d+)/) || []).slice(1).join("/"));
    const wlBefore = await windowLevel();
    const box = await v.locator("canvas.cornerstone-canvas").first().boundingBox();
    await v.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await v.mouse.down();
    await v.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 50, { steps: 8 });
    await v.mouse.up();
    await v.waitForTimeout(500);
    const wlAfter = await windowLevel();
    check(wlBefore !== "" && wlAfter !== "" && wlBefore !== wlAfter, "dragging on the image changes window/level", { wlBefore, wlAfter });
    check((await v.getByRole("link", { name: /Arca worklist/ }).getAttribute("href")) === "/app/", "OHIF's header links back to the worklist");
    check(viewerSeen.problems.filter((p) => /Content Security Policy|Refused/.test(p)).length === 0, "OHIF runs under its CSP", viewerSeen.problems);

    // A front-desk user, created by the admin through the API the admin screens will use.
    const createUser = (username, role) =>
      page.evaluate(
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
    const created = await createUser("desk", "front_desk");
    check(created.status === 201 && created.body.one_time_password, "admin creates a front-desk user", created.status);
    const deskContext = await browser.newContext(contextOptions);
    const desk = await deskContext.newPage();
    desk.setDefaultTimeout(15_000);
    const deskSeen = watch(desk, "desk");
    await desk.clock.install();
    await desk.goto(`${URL}/app/`);
    await firstSignIn(desk, "desk", created.body.one_time_password, NEW_DESK_PASSWORD, null);
    await settled(desk);
    r = await rows(desk);
    check(r.length === Math.min(25, EXPECT.all.length), "the front desk sees the worklist", r.length);
    check(r.every((x) => x.href === null), "the front desk gets no viewer links (no image.read)");
    await shot(desk, "10-front-desk-worklist");

    // Idle: the warning after 25 minutes, "stay" keeps the session, 29 minutes signs out.
    await desk.clock.fastForward("25:10");
    await desk.getByRole("dialog", { name: "Are you still there?" }).waitFor();
    await shot(desk, "11-idle-warning");
    await accessible(desk, "idle warning");
    const idleText = () => desk.getByRole("dialog").locator("#idle-text").textContent();
    check((await idleText()).includes("about 4 minutes"), "the warning says how long is left");
    await desk.clock.fastForward("02:00");
    await desk.waitForFunction(() => document.querySelector("#idle-text")?.textContent.includes("about 2 minutes"));
    check(true, "the countdown in the warning follows the time");
    await desk.getByRole("button", { name: "Stay signed in" }).click();
    await desk.getByRole("dialog").waitFor({ state: "detached" });
    check(true, "the idle warning appears and Stay signed in keeps the session");
    await desk.clock.fastForward("29:10");
    await heading(desk, "Sign in");
    check((await desk.getByRole("status").textContent()).includes("30 minutes"), "idle sign-out after 29 minutes, with the reason");
    await shot(desk, "12-idle-signed-out");
    const after = await desk.evaluate(async () => (await fetch("/api/v1/me")).status);
    check(after === 401, "the idle sign-out ended the session on the server too", after);

    // A referring physician sees only the study granted to them, and may open it.
    const referring = await createUser("doc", "referring");
    const referringId = referring.body.id ?? referring.body.user?.id;
    const grant = await page.evaluate(
      async ([id, study]) => {
        const me = await (await fetch("/api/v1/me")).json();
        const res = await fetch(`/api/v1/users/${id}/grants`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
          body: JSON.stringify({ study }),
        });
        return res.status;
      },
      [referringId, EXPECT.viewer_uid],
    );
    check(referring.status === 201 && grant < 300, "admin creates a referring user and grants one study", { user: referring.status, grant });
    const docContext = await browser.newContext(contextOptions);
    const doc = await docContext.newPage();
    doc.setDefaultTimeout(15_000);
    await doc.goto(`${URL}/app/`);
    await firstSignIn(doc, "doc", referring.body.one_time_password, "referring doctor reads here", null);
    await settled(doc);
    r = await rows(doc);
    check(r.length === 1 && r[0].href && uidOf(r[0].href) === EXPECT.viewer_uid, "the referring physician sees only the granted study", r);
    await shot(doc, "16-referring-worklist");
    await docContext.close();

    // An auditor has no worklist (and QIDO refuses it): the shell says so instead of failing.
    const auditorCreated = await createUser("auditor1", "auditor");
    check(auditorCreated.status === 201, "admin creates an auditor", auditorCreated.status);
    const auditorContext = await browser.newContext(contextOptions);
    const auditor = await auditorContext.newPage();
    auditor.setDefaultTimeout(15_000);
    await auditor.goto(`${URL}/app/`);
    // No second factor is owed by a role that reads no study data (auth/policy): password only.
    await heading(auditor, "Sign in");
    await auditor.getByLabel("Username").fill("auditor1");
    await auditor.getByLabel("Password").fill(auditorCreated.body.one_time_password);
    await auditor.getByRole("button", { name: "Sign in" }).click();
    await heading(auditor, "Choose a new password");
    await auditor.getByLabel("Current password").fill(auditorCreated.body.one_time_password);
    await auditor.getByLabel("New password", { exact: true }).fill("audit trail reader 2026");
    await auditor.getByLabel("Repeat the new password").fill("audit trail reader 2026");
    await auditor.getByRole("button", { name: "Change password" }).click();
    await heading(auditor, "Welcome");
    check((await auditor.locator("table.studies").count()) === 0, "the auditor gets no worklist");
    const qido = await auditor.evaluate(async () => (await fetch("/dicom-web/studies")).status);
    check(qido === 403, "QIDO refuses the auditor", qido);
    await shot(auditor, "15-auditor");
    await auditorContext.close();

    // Session expiry: signing out in another tab sends this one back to sign-in on its next call,
    // and the viewer back to the shell's sign-in instead of a blank viewer.
    const tab = await admin.newPage();
    await tab.goto(`${URL}/app/`);
    await heading(tab, "Worklist");
    await tab.getByRole("button", { name: "Sign out" }).click();
    await heading(tab, "Sign in");
    await page.getByRole("button", { name: "Search" }).click();
    await heading(page, "Sign in");
    check((await page.getByRole("status").textContent()).includes("session has ended"), "a 401 after sign-out elsewhere leads back to sign-in");
    await shot(page, "13-session-expired");
    await v.reload();
    await v.waitForURL((u) => u.pathname === "/app/", { timeout: 60_000 });
    await heading(v, "Sign in");
    check(true, "the viewer goes back to sign-in when the session has ended");
    await shot(v, "14-viewer-session-expired");

    // No PHI in the shell's URLs, no CSP violation, no script error.
    const urls = [...seen.urls, ...deskSeen.urls]; // the viewer's URL carries the study UID only
    check(urls.every((u) => new globalThis.URL(u).pathname === "/app/" && new globalThis.URL(u).search === ""), "the address bar only ever shows /app/", urls);
    check(seen.problems.length === 0 && deskSeen.problems.length === 0, "no CSP violation or script error", [...seen.problems, ...deskSeen.problems]);
  } catch (e) {
    // The state of every open page, for the report.
    let n = 0;
    for (const c of browser.contexts())
      for (const p of c.pages()) await p.screenshot({ path: path.join(SHOTS, `failure-${++n}.png`) }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}

main().then(
  () => console.log("webapp browser checks passed"),
  (e) => {
    console.error(`FAIL: ${e.stack || e}`);
    process.exit(1);
  },
);
