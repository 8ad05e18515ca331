// The upload screen in a real browser (webapp_upload_test.py starts `arca serve` and prepares
// the files): the admin's first sign-in, a folder picked with the folder picker (good DICOM, a
// damaged one, one the server refuses, a text file, the same image twice), a .zip with a
// DICOMDIR dropped on the page (a DataTransfer dispatched as a drop), an upload that fails
// while offline and succeeds with "Retry failed", then a PDF and a PNG attached to a study
// chosen with the worklist's "Attach document". EXPECT: {folder, zip, offline, pdf, png,
// lines: {path: [state, substring]}, pairs: [[path, path]], study_name}.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const common = require("./common.cjs");
const { URL, CONTEXT_OPTIONS, check, shot, accessible, heading, watch, firstSignIn, settled, run } = common;

const EXPECT = JSON.parse(process.env.EXPECT);
const NEW_PASSWORD = "upload the whole patient cd 7";

// Every line of the file table: path -> {state, text}.
async function lines(page) {
  return page.$$eval("table.files tbody tr", (trs) =>
    Object.fromEntries(trs.map((tr) => [tr.dataset.path, { state: tr.dataset.state, text: tr.querySelector(".result").textContent }])),
  );
}

// Waits until nothing is queued or being sent and `count` lines exist.
async function idle(page, count, timeout = 60_000) {
  await page.waitForFunction(
    (n) => {
      const trs = [...document.querySelectorAll("table.files tbody tr")];
      return trs.length >= n && trs.every((tr) => !["queued", "sending"].includes(tr.dataset.state));
    },
    count,
    { timeout },
  );
}

// Drops files on the drop zone the way a browser does: a DataTransfer holding them.
async function dropFiles(page, files) {
  const payload = files.map((f) => ({ name: path.basename(f), b64: fs.readFileSync(f).toString("base64") }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const it of items) {
      const bin = Uint8Array.from(atob(it.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bin], it.name));
    }
    return dt;
  }, payload);
  await page.dispatchEvent("#dropzone", "dragover", { dataTransfer: transfer });
  await page.dispatchEvent("#dropzone", "drop", { dataTransfer: transfer });
}

function checkLines(got, want, label) {
  for (const [p, [state, text]] of Object.entries(want)) {
    const line = got[p];
    check(line && line.state === state && line.text.includes(text), `${label}: ${p} → ${state} (“${text}”)`, line);
  }
}

run(async (browser) => {
  const context = await browser.newContext(CONTEXT_OPTIONS);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const seen = watch(page, "admin");
  await page.goto(`${URL}/app/`);
  const secret = await firstSignIn(page, "admin", process.env.ARCA_OTP, NEW_PASSWORD, null);
  check(secret.length > 0, "the admin is signed in");

  // The Upload entry is in the main navigation (the admin holds study.write).
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Upload" }).click();
  await heading(page, "Upload");
  check((await nav.getByRole("link", { name: "Upload" }).getAttribute("aria-current")) === "page", "the Upload link is marked as the current screen");
  await shot(page, "01-upload-empty");
  await accessible(page, "upload screen");

  // Keyboard: Tab from the heading reaches the file picker, then the folder picker.
  await page.locator("#screen-title").focus();
  const order = [];
  for (let i = 0; i < 6 && order.length < 2; i++) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => document.activeElement?.id);
    if (id === "pick-files" || id === "pick-folder") order.push(id);
  }
  check(order.join() === "pick-files,pick-folder", "the file and folder pickers are reached with Tab", order);

  // A folder, slowly (a throttled network), so the screen can be seen mid-way.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: -1, uploadThroughput: 48 * 1024 });
  await page.setInputFiles("#pick-folder", EXPECT.folder);
  await page.waitForFunction(() => document.querySelector("table.files tbody tr[data-state='sending']"), null, { timeout: 20_000 });
  await page.waitForFunction(() => Number(document.querySelector("#overall").value) > 0, null, { timeout: 20_000 });
  const mid = await page.$eval("#overall", (p) => Number(p.value));
  await shot(page, "02-upload-midway");
  check(mid < 100, "the overall progress is seen mid-way", mid);
  const sending = await page.$$eval("table.files tbody tr[data-state='sending']", (trs) => trs.length);
  check(sending >= 1 && sending <= 3, "at most three files are sent at once", sending);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await idle(page, EXPECT.folder_lines);

  // A .zip with a DICOMDIR, dropped on the page.
  await dropFiles(page, [EXPECT.zip]);
  await idle(page, EXPECT.folder_lines + EXPECT.zip_lines);

  let got = await lines(page);
  checkLines(got, EXPECT.lines, "result line");
  for (const [a, b] of EXPECT.pairs) {
    const states = [got[a]?.state, got[b]?.state].sort().join();
    check(states === "duplicate,stored", `the same image sent twice: one stored, one duplicate (${a}, ${b})`, [got[a], got[b]]);
  }
  check(Object.keys(got).length === EXPECT.folder_lines + EXPECT.zip_lines, "one line per file", Object.keys(got));
  const overall = await page.$eval("#overall", (p) => Number(p.value));
  const summary = await page.locator("#overall-text").textContent();
  check(overall === 100 && /files done \(100%\)/.test(summary), "the overall progress reaches 100%", { overall, summary });
  check((await page.locator("#overall-text").getAttribute("aria-live")) === "polite", "the overall progress is announced politely");
  await shot(page, "03-upload-done");
  await accessible(page, "upload screen with results");

  // Offline: the automatic retries give up, then "Retry failed" stores the file.
  await context.setOffline(true);
  await page.setInputFiles("#pick-files", EXPECT.offline);
  const offlinePath = path.basename(EXPECT.offline);
  await page.waitForSelector(`table.files tbody tr[data-path="${offlinePath}"][data-state="failed"]`, { timeout: 30_000 });
  got = await lines(page);
  check(/network/.test(got[offlinePath].text) && /Retry failed/.test(got[offlinePath].text), "a file sent while offline fails with a reason after the automatic retries", got[offlinePath]);
  const failedOverall = await page.$eval("#overall", (p) => Number(p.value));
  const failedSummary = await page.locator("#overall-text").textContent();
  check(failedOverall < 100 && /1 failed/.test(failedSummary), "a failed file keeps the overall progress below 100%", { failedOverall, failedSummary });
  const retry = page.getByRole("button", { name: "Retry failed" });
  check(!(await retry.isDisabled()), "Retry failed is offered");
  await shot(page, "04-upload-offline-failed");
  await context.setOffline(false);
  await retry.click();
  await page.waitForSelector(`table.files tbody tr[data-path="${offlinePath}"][data-state="stored"]`, { timeout: 20_000 });
  check(await retry.isDisabled(), "after the retry nothing is left to retry");
  check((await page.$eval("#overall", (p) => Number(p.value))) === 100, "after the retry the overall progress is back at 100%");

  // Documents: from the worklist's row action to the study's upload screen.
  await nav.getByRole("link", { name: "Worklist" }).click();
  await heading(page, "Worklist");
  await settled(page);
  const studyRow = page.locator("table.studies tbody tr", { hasText: EXPECT.study_name });
  await studyRow.getByRole("button", { name: /^Attach document to the study of/ }).click();
  await heading(page, "Upload");
  check((await page.locator("#study-uid").inputValue()) === EXPECT.study_uid, "Attach document fills in the study's UID");
  check((await page.locator("#study-label").textContent()).includes(EXPECT.study_name), "the screen names the study's patient");
  await page.getByLabel("Title (optional)").fill(EXPECT.title);
  await page.setInputFiles("#pick-docs", [EXPECT.pdf, EXPECT.png]);
  const attach = page.getByRole("button", { name: "Attach 2 documents" });
  await attach.waitFor();
  await shot(page, "05-documents-waiting");
  await attach.click();
  for (const f of [EXPECT.pdf, EXPECT.png])
    await page.waitForSelector(`table.files tbody tr[data-path="${path.basename(f)}"][data-state="stored"]`, { timeout: 20_000 });
  got = await lines(page);
  check(got[path.basename(EXPECT.pdf)].text === "attached to the study", "the PDF is attached", got[path.basename(EXPECT.pdf)]);
  await shot(page, "06-documents-attached");
  await accessible(page, "upload screen after attaching");
  check(seen.problems.length === 0, "no CSP violation or script error", seen.problems);
  check(seen.urls.every((u) => !/[?&](PatientName|PatientID)=/.test(u)), "no patient data in the page URL", seen.urls);

  // A token for the Python half's QIDO/WADO checks.
  const token = await page.evaluate(async () => {
    const me = await (await fetch("/api/v1/me")).json();
    const r = await fetch("/api/v1/tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
      body: JSON.stringify({ name: "upload test", permissions: ["study.query", "image.read"] }),
    });
    return (await r.json()).token;
  });
  console.log(`API_TOKEN=${token}`);
});
