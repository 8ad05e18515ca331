// The worklist suite (webapp_worklist_test.py): sort by every column header, download a study as
// a zip, delete one through the confirmation dialog, and a front-desk user without either action.
// EXPECT holds the ground truth the Python half computed from the imported files.
"use strict";
const fs = require("node:fs");
const common = require("./common.cjs");
const { URL, CONTEXT_OPTIONS, check, shot, accessible, heading, watch, firstSignIn, status, settled, rows, uidOf, createUser, run } = common;

const EXPECT = JSON.parse(process.env.EXPECT);
const ADMIN_PASSWORD = "correct horse battery staple 42";
const DESK_PASSWORD = "front desk opens at eight";
const HEADERS = {
  StudyDate: "Study date",
  PatientName: "Patient",
  PatientID: "Patient ID",
  AccessionNumber: "Accession",
  ModalitiesInStudy: "Modality",
  StudyDescription: "Description",
};

// The header button's text is its label and an arrow (▲ ascending, ▼ descending, ↕ unsorted).
const labelled = (key) => new RegExp(`^${HEADERS[key]}[▲▼↕]$`);
const sortButton = (page, key) => page.locator("table.studies thead th button.sort", { hasText: labelled(key) });

// Every study UID of the current sorted list, page by page (100 rows a page).
async function listed(page) {
  const uids = [];
  for (let i = 0; i < 20; i++) {
    await settled(page);
    uids.push(...(await rows(page)).map((r) => uidOf(r.href)));
    const next = page.getByRole("button", { name: "Next page" });
    if (await next.isDisabled()) break;
    await next.click();
  }
  return uids;
}

async function backToFirstPage(page) {
  const prev = page.getByRole("button", { name: "Previous page" });
  while (!(await prev.isDisabled())) {
    await prev.click();
    await settled(page);
  }
}

async function expectOrder(page, key, dir) {
  const th = page.locator("table.studies thead th[aria-sort]");
  check((await th.count()) === 1, `${key} ${dir}: one column header carries aria-sort`);
  check((await th.getAttribute("aria-sort")) === (dir === "asc" ? "ascending" : "descending"), `${key} ${dir}: aria-sort says ${dir}`);
  check(labelled(key).test(await th.textContent()), `${key} ${dir}: aria-sort is on ${HEADERS[key]}`);
  const got = await listed(page);
  const want = EXPECT.orders[`${key}:${dir}`];
  check(JSON.stringify(got) === JSON.stringify(want), `sorted by ${HEADERS[key]} ${dir}: the order matches the files`, { got, want });
  await backToFirstPage(page);
}

async function studyRow(page, uid) {
  return page.locator("table.studies tbody tr", { has: page.locator(`a.open[href="/viewer?StudyInstanceUIDs=${encodeURIComponent(uid)}"]`) });
}

run(async (browser) => {
  const admin = await browser.newContext({ ...CONTEXT_OPTIONS, acceptDownloads: true });
  const page = await admin.newPage();
  page.setDefaultTimeout(15_000);
  const seen = watch(page, "admin");
  await page.goto(`${URL}/app/`);
  await firstSignIn(page, "admin", process.env.ARCA_OTP, ADMIN_PASSWORD, null);
  await settled(page);
  await page.getByLabel("Rows per page").selectOption("100");
  await settled(page);
  check((await status(page).textContent()).endsWith(`of ${EXPECT.count}`), "the status line gives the total", await status(page).textContent());
  await shot(page, "01-worklist-by-date");
  await accessible(page, "worklist sorted by date");

  // Newest first by default; each header sorts ascending, a second click descending (the date
  // header, already descending, flips to ascending).
  await expectOrder(page, "StudyDate", "desc");
  await sortButton(page, "StudyDate").click();
  await expectOrder(page, "StudyDate", "asc");
  for (const key of ["PatientName", "PatientID", "AccessionNumber", "ModalitiesInStudy", "StudyDescription"]) {
    await sortButton(page, key).click();
    await expectOrder(page, key, "asc");
    if (key === "PatientName") await shot(page, "02-sorted-by-patient");
    await sortButton(page, key).click();
    await expectOrder(page, key, "desc");
  }
  // The keyboard: Tab to a header button, Enter sorts; focus stays on the header.
  await sortButton(page, "PatientID").focus();
  await page.keyboard.press("Enter");
  await expectOrder(page, "PatientID", "asc");
  await page.waitForFunction(() => document.activeElement?.closest("th")?.hasAttribute("aria-sort"));
  check(await sortButton(page, "PatientID").evaluate((b) => b === document.activeElement), "focus stays on the header after sorting");
  await page.keyboard.press("Space");
  await expectOrder(page, "PatientID", "desc");
  await sortButton(page, "StudyDate").click();
  await settled(page);

  // Download (zip): a plain link; the browser receives the streamed zip.
  const downloadRow = await studyRow(page, EXPECT.download_uid);
  const [download] = await Promise.all([page.waitForEvent("download"), downloadRow.getByRole("link", { name: /as a zip file/ }).click()]);
  await download.saveAs(process.env.ZIP_PATH);
  check(download.suggestedFilename() === `study-${EXPECT.download_uid}.zip`, "the zip is named by the study UID only", download.suggestedFilename());
  const zip = fs.readFileSync(process.env.ZIP_PATH);
  const eocd = zip.subarray(zip.length - 22);
  check(zip.readUInt32LE(0) === 0x04034b50 && eocd.readUInt32LE(0) === 0x06054b50, "the download is a zip file");
  check(eocd.readUInt16LE(10) === EXPECT.download_entries, "the zip holds one entry per instance", { got: eocd.readUInt16LE(10), want: EXPECT.download_entries });

  // Delete: the dialog names the study by patient, date and description; Cancel keeps it.
  let row = await studyRow(page, EXPECT.delete_uid);
  await row.getByRole("button", { name: /^Delete the study of/ }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this study?" });
  await dialog.waitFor();
  const text = await dialog.textContent();
  check(text.includes(EXPECT.delete_date) && text.includes(EXPECT.delete_description), "the dialog names the study by date and description", text);
  check(!text.includes(EXPECT.delete_uid), "the dialog does not make staff read a UID");
  await shot(page, "03-delete-dialog");
  await accessible(page, "delete confirmation");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  check((await dialog.count()) === 0 && (await row.count()) === 1, "Cancel keeps the study");
  await row.getByRole("button", { name: /^Delete the study of/ }).click();
  await dialog.getByRole("button", { name: "Delete study" }).click();
  await page.waitForFunction(() => /was deleted/.test(document.querySelector("#results-status")?.textContent ?? ""));
  await settled(page);
  row = await studyRow(page, EXPECT.delete_uid);
  check((await row.count()) === 0, "the deleted study left the list");
  check((await status(page).textContent()).endsWith(`of ${EXPECT.count - 1}`), "the total went down by one", await status(page).textContent());
  await shot(page, "04-after-delete");
  const gone = await page.evaluate(async (uid) => (await fetch(`/dicom-web/studies?StudyInstanceUID=${uid}`)).json(), EXPECT.delete_uid);
  check(Array.isArray(gone) && gone.length === 0, "QIDO no longer finds it");
  check(seen.problems.length === 0, "no CSP violation or script error on the admin's pages", seen.problems);

  // Front desk: study.query and document.write; no viewer, no download, no delete.
  const created = await createUser(page, "desk", "front_desk");
  check(created.status === 201, "admin creates a front-desk user", created.status);
  const deskContext = await browser.newContext(CONTEXT_OPTIONS);
  const desk = await deskContext.newPage();
  desk.setDefaultTimeout(15_000);
  await desk.goto(`${URL}/app/`);
  await firstSignIn(desk, "desk", created.body.one_time_password, DESK_PASSWORD, null);
  await heading(desk, "Worklist");
  await settled(desk);
  check((await rows(desk)).length > 0, "the front desk sees studies");
  check((await desk.getByRole("link", { name: /zip/ }).count()) === 0, "the front desk gets no download links");
  check((await desk.getByRole("button", { name: /^Delete/ }).count()) === 0, "the front desk gets no delete buttons");
  const deskActions = await desk.$$eval("table.studies tbody tr .row-actions", (cells) => [...new Set(cells.map((c) => c.textContent))]);
  check(deskActions.length > 0 && deskActions.every((t) => t === "Attach document"), "the front desk's only row action is Attach document", deskActions);
  const refused = await desk.evaluate(async (uid) => (await fetch(`/api/v1/studies/${uid}/archive`)).status, EXPECT.download_uid);
  check(refused === 403, "the archive route refuses the front desk", refused);
  await shot(desk, "05-front-desk");
  await accessible(desk, "front-desk worklist");
  // ... which opens the upload screen for documents only (DESIGN §5: documents, no images).
  await desk.locator("table.studies tbody tr .row-actions button").first().click();
  await heading(desk, "Upload");
  check((await desk.getByRole("heading", { name: "Images from a CD, folder or .zip" }).count()) === 0, "the front desk's upload screen offers no images");
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
  await desk.setInputFiles("#pick-docs", { name: "referral.pdf", mimeType: "application/pdf", buffer: pdf });
  await desk.getByRole("button", { name: "Attach 1 document" }).click();
  await desk.waitForSelector('table.files tbody tr[data-path="referral.pdf"][data-state="stored"]', { timeout: 20_000 });
  check(true, "the front desk attaches a referral letter to a study");
  await shot(desk, "06-front-desk-document");
  await accessible(desk, "front-desk upload");
});
