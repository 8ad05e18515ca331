// The OHIF viewer suite (webapp_viewer_test.py): open a 20-slice CT study, check pixels, scroll
// the stack, change window/level, draw a length, save it as a DICOM SR (OHIF's "Create SR", a
// STOW-RS with the session cookie), check the SR over QIDO/WADO, then reopen the study in a fresh
// page and load the SR back into the measurements panel. EXPECT: study, series, slices;
// ARCA_OTP: the admin's one-time password; SR_OUT: where the stored SR's Part-10 bytes go (the
// Python half decodes them with pydicom). Prints "measured length mm: <value shown>".
"use strict";
const fs = require("node:fs");
const { URL, CONTEXT_OPTIONS, check, shot, watch, firstSignIn, run } = require("./common.cjs");

const EXPECT = JSON.parse(process.env.EXPECT);
const REPORT_NAME = "Arca length check";
const cy = (page, name) => page.locator(`[data-cy="${name}"]`);

// A signature of the viewport's pixels (sum and count of grey levels over a sampled grid), or
// null while the canvas is blank.
async function pixels(page) {
  return page.evaluate(() => {
    const c = document.querySelector("canvas.cornerstone-canvas");
    if (!c || c.width < 64 || c.height < 64) return null;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let sum = 0;
    for (let i = 0; i < d.length; i += 4 * 3) {
      seen.add(d[i]);
      sum = (sum * 31 + d[i]) % 1_000_000_007;
    }
    return seen.size > 16 ? `${seen.size}:${sum}` : null;
  });
}

async function rendered(page) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const p = await pixels(page).catch(() => null);
    if (p && /I:\s*\d+/.test(await cy(page, "viewport-overlay-bottom-right").innerText().catch(() => ""))) return p;
    await page.waitForTimeout(500);
  }
  throw new Error("OHIF rendered no pixels within 90 s");
}

// Where the stack is, as the overlay shows it ("I:16 (5/20)") and as cornerstone holds it.
async function position(page) {
  const text = await cy(page, "viewport-overlay-bottom-right").innerText();
  const m = text.match(/I:\s*(\d+)\s*\((\d+)\/(\d+)\)/);
  const index = await page.evaluate(() => window.cornerstone.getEnabledElements()[0].viewport.getCurrentImageIdIndex());
  return m ? { instance: Number(m[1]), at: Number(m[2]), of: Number(m[3]), index } : { text, index };
}

async function windowLevel(page) {
  const text = await cy(page, "viewport-overlay-bottom-left").innerText();
  return (text.match(/W:\s*(-?[\d.]+)\s*L:\s*(-?[\d.]+)/) || []).slice(1).join("/");
}

// Polls read() until ok(value) holds or ms have passed; returns the last value read.
async function until(page, read, ok, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await page.waitForTimeout(150);
  }
}

async function openPanel(page) {
  if (!(await cy(page, "trackedMeasurements-panel").count())) await cy(page, "trackedMeasurements-btn").click();
  await cy(page, "trackedMeasurements-panel").waitFor();
}

// The single length of the measurements panel, as shown (e.g. "32.9 mm"), and OHIF's own value.
async function panelLength(page) {
  await cy(page, "data-row").first().waitFor();
  const rows = await cy(page, "data-row").count();
  const shown = (await cy(page, "data-row-details-primary").first().innerText()).trim();
  const lengths = await page.evaluate(() =>
    window.services.measurementService.getMeasurements().filter((m) => m.toolName === "Length")
      .map((m) => Object.values(m.data)[0].length));
  return { rows, shown, mm: Number(shown.replace(/\s*mm$/, "")), lengths };
}

// The SR series of the study over QIDO, and its one instance over WADO-RS as Part 10.
async function storedSr(page) {
  return page.evaluate(async (study) => {
    const json = { headers: { Accept: "application/dicom+json" } };
    const series = await (await fetch(`/dicom-web/studies/${study}/series?Modality=SR`, json)).json();
    if (series.length !== 1) return { series };
    const se = series[0]["0020000E"].Value[0];
    const instances = await (await fetch(`/dicom-web/studies/${study}/series/${se}/instances`, json)).json();
    const sop = instances[0]["00080018"].Value[0];
    const res = await fetch(`/dicom-web/studies/${study}/series/${se}/instances/${sop}`, {
      headers: { Accept: 'multipart/related; type="application/dicom"' },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return {
      series, instances: instances.length, description: series[0]["0008103E"]?.Value?.[0],
      modality: series[0]["00080060"]?.Value?.[0], type: res.headers.get("content-type"), body: btoa(bin),
    };
  }, EXPECT.study);
}

// The one part of a multipart/related body.
function onlyPart(body, contentType) {
  const boundary = contentType.match(/boundary="?([^";]+)"?/)[1];
  const start = body.indexOf("\r\n\r\n", body.indexOf(`--${boundary}`)) + 4;
  const end = body.indexOf(`\r\n--${boundary}`, start);
  return body.subarray(start, end);
}

run(async (browser) => {
  const context = await browser.newContext(CONTEXT_OPTIONS);
  const shell = await context.newPage();
  shell.setDefaultTimeout(15_000);
  await shell.goto(`${URL}/app/`);
  await firstSignIn(shell, "admin", process.env.ARCA_OTP, "correct horse battery staple 42", null);
  const viewerUrl = `${URL}/viewer?StudyInstanceUIDs=${EXPECT.study}`;

  // 1. Open the study: pixels, then scroll the stack with the wheel and the arrow keys.
  const v = await context.newPage();
  v.setDefaultTimeout(15_000);
  const seen = watch(v, "viewer");
  const stows = [];
  v.on("request", (r) => {
    if (r.method() === "POST" && new globalThis.URL(r.url()).pathname === "/dicom-web/studies") stows.push(r.headers());
  });
  await v.goto(viewerUrl);
  const first = await rendered(v);
  const start = await position(v);
  check(start.of === EXPECT.slices && start.at === 1 && start.index === 0, "OHIF opens the stack at its first image", start);
  await shot(v, "01-viewer", false);
  const box = await v.locator("canvas.cornerstone-canvas").first().boundingBox();
  await v.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 4; i++) {
    await v.mouse.wheel(0, 100);
    await v.waitForTimeout(150);
  }
  const wheeled = await until(v, () => position(v), (p) => p.at === 5);
  check(wheeled.at === 5 && wheeled.index === 4 && wheeled.instance !== start.instance, "four wheel steps move four images down the stack", wheeled);
  await v.keyboard.press("ArrowDown");
  const keyed = await until(v, () => position(v), (p) => p.at === 6);
  check(keyed.at === 6 && keyed.index === 5, "the down arrow moves one image further", keyed);
  const scrolled = await until(v, () => pixels(v), (p) => p && p !== first);
  check(scrolled && scrolled !== first, "scrolling changes the pixels shown", { first, scrolled });
  await shot(v, "02-scrolled", false);

  // 2. Window/level: a drag with OHIF's default left-button tool changes W and L and the pixels.
  const wlBefore = await windowLevel(v);
  await v.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await v.mouse.down();
  await v.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 50, { steps: 8 });
  await v.mouse.up();
  const wlAfter = await until(v, () => windowLevel(v), (wl) => wl !== wlBefore, 5_000);
  check(wlBefore !== "" && wlAfter !== "" && wlBefore !== wlAfter, "dragging on the image changes window/level", { wlBefore, wlAfter });
  const leveled = await until(v, () => pixels(v), (p) => p && p !== scrolled, 5_000);
  check(leveled && leveled !== scrolled, "the new window/level changes the pixels");
  await shot(v, "03-window-level", false);

  // 3. A length: the Length tool, two clicks; the distance of the two points in patient space
  // (cornerstone's canvasToWorld) is what the panel must show.
  await cy(v, "MeasurementTools-split-button-primary").click();
  const a = [Math.round(box.width * 0.35), Math.round(box.height * 0.6)];
  const b = [Math.round(box.width * 0.65), Math.round(box.height * 0.6)];
  await v.mouse.click(box.x + a[0], box.y + a[1]);
  await v.waitForTimeout(300);
  await v.mouse.click(box.x + b[0], box.y + b[1]);
  const expected = await v.evaluate(([a, b]) => {
    const vp = window.cornerstone.getEnabledElements()[0].viewport;
    const [p, q] = [vp.canvasToWorld(a), vp.canvasToWorld(b)];
    return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
  }, [a, b]);
  await cy(v, "prompt-begin-tracking-yes-btn").click();
  await v.waitForTimeout(800);
  await shot(v, "04-measurement", false);
  await openPanel(v);
  const drawn = await panelLength(v);
  check(drawn.rows === 1 && drawn.lengths.length === 1, "the measurements panel lists the one length", drawn);
  check(Math.abs(drawn.lengths[0] - expected) < 0.02 && Math.abs(drawn.mm - expected) <= 0.051, "the length shown is the distance drawn", { drawn, expected });
  console.log(`measured length mm: ${drawn.lengths[0]}`);
  console.log(`shown length: ${drawn.shown}`);
  console.log(`measured on instance: ${keyed.instance}`);
  await shot(v, "05-measurements-panel", false);

  // Save: "Create SR", a report name, Save: OHIF STOWs the SR with the session cookie alone.
  await v.getByRole("button", { name: "Create SR" }).click();
  await v.locator('[data-cy="dialog-input"] input, input[data-cy="dialog-input"]').first().fill(REPORT_NAME);
  const stowed = v.waitForResponse((r) => r.request().method() === "POST" && new globalThis.URL(r.url()).pathname === "/dicom-web/studies", { timeout: 30_000 });
  await cy(v, "input-dialog-save-button").click();
  const response = await stowed;
  check(response.status() === 200, "Arca accepts OHIF's STOW of the SR", { status: response.status(), body: await response.text() });
  check(stows.length === 1 && /^multipart\/related; type="?application\/dicom"?/.test(stows[0]["content-type"]) && !("x-csrf-token" in stows[0]), "the SR arrives as multipart/related application/dicom without a CSRF header", stows);
  await v.locator('[data-cy="studyBrowser-panel"]').getByText(REPORT_NAME).waitFor({ timeout: 15_000 });
  check(true, "the new SR series appears in OHIF's study browser");
  await shot(v, "06-saved", false);

  // Over QIDO and WADO-RS: one SR series with one instance, which the Python half decodes.
  const sr = await storedSr(v);
  check(sr.series.length === 1 && sr.modality === "SR" && sr.description === REPORT_NAME && sr.instances === 1, "QIDO finds the SR series (Modality SR, the report's name)", { ...sr, body: undefined });
  const part = onlyPart(Buffer.from(sr.body, "base64"), sr.type);
  check(part.subarray(128, 132).toString() === "DICM", "WADO-RS returns the SR as Part 10");
  fs.writeFileSync(process.env.SR_OUT, part);

  // 4. Reopen in a fresh page: the SR series is listed; loading it brings the length back.
  await v.close();
  const again = await context.newPage();
  again.setDefaultTimeout(15_000);
  const againSeen = watch(again, "reopened viewer");
  await again.goto(viewerUrl);
  await rendered(again);
  const entry = again.locator('[data-cy="studyBrowser-panel"]').getByText(REPORT_NAME);
  await entry.waitFor();
  check((await entry.count()) === 1, "the reopened study lists the SR series");
  await entry.dblclick();
  await cy(again, "yes-hydrate-btn").click();
  await openPanel(again);
  const loaded = await panelLength(again);
  check(loaded.rows === 1 && loaded.shown === drawn.shown && Math.abs(loaded.lengths[0] - drawn.lengths[0]) < 0.001, "loading the SR shows the same length in the panel", { loaded, drawn });
  const back = await until(again, () => position(again), (p) => p.at === keyed.at);
  check(back.at === keyed.at, "loading the SR shows the image it was measured on", { back, keyed });
  await again.waitForTimeout(800);
  await shot(again, "07-reopened-sr", false);

  // 5. A multi-frame instance (its own study): the stack walks its frames (WADO-RS /frames/n).
  const mf = await context.newPage();
  mf.setDefaultTimeout(15_000);
  const mfSeen = watch(mf, "multi-frame viewer");
  await mf.goto(`${URL}/viewer?StudyInstanceUIDs=${EXPECT.frames_study}`);
  const frame1 = await rendered(mf);
  const mfStart = await position(mf);
  check(mfStart.of === EXPECT.frames && mfStart.at === 1, "OHIF opens the multi-frame image at its first frame", mfStart);
  const mfBox = await mf.locator("canvas.cornerstone-canvas").first().boundingBox();
  await mf.mouse.move(mfBox.x + mfBox.width / 2, mfBox.y + mfBox.height / 2);
  for (let i = 0; i < 3; i++) {
    await mf.mouse.wheel(0, 100);
    await mf.waitForTimeout(150);
  }
  const mfMoved = await until(mf, () => position(mf), (p) => p.at === 4);
  check(mfMoved.at === 4 && mfMoved.index === 3, "three wheel steps move three frames on", mfMoved);
  const frame4 = await until(mf, () => pixels(mf), (p) => p && p !== frame1);
  check(frame4 && frame4 !== frame1, "scrolling a multi-frame image changes the pixels");
  await shot(mf, "08-multi-frame", false);
  const problems = [...seen.problems, ...againSeen.problems, ...mfSeen.problems];
  check(problems.length === 0, "no CSP violation or script error in the viewer", problems);
});
