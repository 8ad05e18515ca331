// The admin and audit screens in a real browser (webapp_admin_test.py): the first admin manages
// users (create, roles, disable/enable, second-factor reset, study grants), API tokens (the token
// works before and is refused after revocation), DICOM peers and a tenant setting; an auditor
// then finds those actions in the audit trail, opens a record, exports the search (the file's
// lines checked) and runs the per-patient access report without the patient ID in any URL.
// EXPECT: report_uid / report_pid (a study of the corpus and its patient), grant_uid.
"use strict";
const fs = require("node:fs");
const common = require("./common.cjs");
const { URL, CONTEXT_OPTIONS, check, shot, accessible, heading, watch, firstSignIn, run } = common;

const EXPECT = JSON.parse(process.env.EXPECT);
const ADMIN_PASSWORD = "correct horse battery staple 42";
const AUDITOR_PASSWORD = "audit trail reader 2026";

const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
const dialog = (page) => page.getByRole("dialog");

async function go(page, link, title) {
  await nav(page, link).click();
  await heading(page, title);
}

// Reads the one-time secret a dialog shows, then closes it with Done.
async function takeSecret(page, shotName) {
  const d = dialog(page);
  await d.waitFor();
  const secret = (await d.locator("code.secret").textContent()).trim();
  if (shotName) {
    await shot(page, shotName, false);
    await accessible(page, `${shotName} dialog`);
  }
  await d.getByRole("button", { name: "Done" }).click();
  await d.waitFor({ state: "detached" });
  return secret;
}

async function confirm(page, button, yes = true) {
  const d = dialog(page);
  await d.waitFor();
  check((await page.evaluate(() => document.activeElement?.textContent)) === "Cancel", `the "${button}" dialog starts on Cancel`);
  await d.getByRole("button", { name: yes ? button : "Cancel" }).click();
  await d.waitFor({ state: "detached" });
}

const statusHas = (page, text) => page.getByRole("status").filter({ hasText: text }).first().waitFor();
const apiGet = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);

run(async (browser) => {
  const context = await browser.newContext(CONTEXT_OPTIONS);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: URL });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const seen = watch(page, "admin");
  await page.goto(`${URL}/app/`);
  await firstSignIn(page, "admin", process.env.ARCA_OTP, ADMIN_PASSWORD, null);
  const adminActor = (await apiGet(page, "/api/v1/me")).actor;
  const links = await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
  check(["Worklist", "Audit trail", "Access report", "Users", "DICOM peers", "Tenants", "API tokens"].every((l) => links.includes(l)), "the admin sees every screen", links);
  // The admin opens a study of the corpus (WADO-RS), so the patient report has a row.
  const wado = await page.evaluate(async (uid) => (await fetch(`/dicom-web/studies/${uid}`, { headers: { Accept: 'multipart/related; type="application/dicom"' } })).status, EXPECT.report_uid);
  check(wado === 200, "the admin retrieves a study over WADO-RS", wado);

  // Users: create, roles, disable/enable, second factor, grants.
  await go(page, "Users", "Users");
  await page.getByRole("button", { name: "Manage admin" }).waitFor();
  await shot(page, "01-users");
  await accessible(page, "users");
  await page.getByLabel("Username").fill("dr-lee");
  await page.getByRole("group", { name: "Roles" }).last().getByLabel("Referring physician").check();
  await page.getByLabel("Name as referring physician").fill("LEE^ANNA");
  await page.getByRole("button", { name: "Add user" }).click();
  const otp = await takeSecret(page, "02-user-created");
  check(/^\S{8,}$/.test(otp), "the new user's one-time password is shown once", otp.length);
  await page.getByRole("row", { name: /dr-lee/ }).waitFor();
  await page.getByLabel("Username").fill("auditor1");
  await page.getByRole("group", { name: "Roles" }).last().getByLabel("Auditor").check();
  await page.getByRole("button", { name: "Add user" }).click();
  const auditorOtp = await takeSecret(page, null);
  // A service account (no password: it works through API tokens only).
  await page.getByLabel("Username").fill("pacs-bridge");
  await page.getByRole("group", { name: "Roles" }).last().getByLabel("Technologist").check();
  await page.getByLabel(/^Service account/).check();
  await page.getByRole("button", { name: "Add user" }).click();
  await statusHas(page, "pacs-bridge was added.");
  check((await dialog(page).count()) === 0, "a service account gets no one-time password");
  const dup = page.getByLabel("Username");
  await dup.fill("dr-lee");
  await page.getByRole("group", { name: "Roles" }).last().getByLabel("Radiologist").check();
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByRole("alert").filter({ hasText: "The user could not be added:" }).waitFor();
  check(true, "a refused creation is explained in words");

  await page.getByRole("button", { name: "Manage dr-lee" }).click();
  await page.getByRole("heading", { name: "Manage dr-lee" }).waitFor();
  check(await page.evaluate(() => document.activeElement?.textContent === "Manage dr-lee"), "focus moves to the user's panel");
  const manage = page.locator("section.manage");
  await manage.getByLabel("Front desk").check();
  await manage.getByRole("button", { name: "Save roles" }).click();
  await statusHas(page, "Roles of dr-lee saved.");
  let lee = (await apiGet(page, "/api/v1/users")).find((u) => u.username === "dr-lee");
  check(lee.roles.includes("front_desk") && lee.roles.includes("referring"), "roles are changed", lee.roles);
  await manage.getByRole("button", { name: "Disable account" }).click();
  await shot(page, "03-confirm-disable", false);
  await accessible(page, "confirmation dialog");
  await confirm(page, "Disable account", false);
  lee = (await apiGet(page, "/api/v1/users")).find((u) => u.username === "dr-lee");
  check(!lee.disabled, "Cancel leaves the account alone");
  await manage.getByRole("button", { name: "Disable account" }).click();
  await confirm(page, "Disable account");
  await statusHas(page, "dr-lee is now disabled.");
  check((await page.getByRole("row", { name: /dr-lee/ }).textContent()).includes("Disabled"), "the list shows dr-lee disabled");
  await manage.getByRole("button", { name: "Enable account" }).click();
  await statusHas(page, "dr-lee is now enabled.");
  lee = (await apiGet(page, "/api/v1/users")).find((u) => u.username === "dr-lee");
  check(!lee.disabled, "dr-lee is enabled again");
  await manage.getByRole("button", { name: "Reset second factor" }).click();
  await confirm(page, "Reset second factor");
  await statusHas(page, "The second factor of dr-lee was reset.");
  await manage.getByRole("button", { name: "Reset password" }).click();
  await confirm(page, "Reset password");
  const newOtp = await takeSecret(page, null);
  await statusHas(page, "The password of dr-lee was reset.");
  check(newOtp.length >= 8 && newOtp !== otp, "a password reset shows a new one-time password");
  await manage.getByLabel("Study Instance UID").fill(EXPECT.grant_uid);
  await manage.getByRole("button", { name: "Grant study" }).click();
  await manage.locator("ul.grants code").filter({ hasText: EXPECT.grant_uid }).waitFor();
  let grants = await apiGet(page, `/api/v1/users/${lee.id}/grants`);
  check(grants.length === 1 && grants[0].study === EXPECT.grant_uid, "the study is granted", grants);
  await shot(page, "04-manage-user");
  await accessible(page, "manage a user");
  await manage.getByRole("button", { name: `Remove the grant of study ${EXPECT.grant_uid}` }).click();
  await confirm(page, "Remove grant");
  await manage.getByText("No studies granted.").waitFor();
  grants = await apiGet(page, `/api/v1/users/${lee.id}/grants`);
  check(grants.length === 0, "the grant is removed", grants);

  // API tokens: created, shown once and copied, working, then revoked and refused.
  await go(page, "API tokens", "API tokens");
  await page.getByLabel("Name", { exact: true }).fill("RIS bridge");
  await page.getByRole("group", { name: "What the token may do" }).getByLabel("Find studies").check();
  await page.getByLabel("Valid for").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  await dialog(page).getByRole("button", { name: "Copy token" }).click();
  await dialog(page).getByRole("status").filter({ hasText: "copied" }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const token = await takeSecret(page, "05-token-created");
  check(copied === token && token.length >= 20, "Copy puts the token on the clipboard");
  const withToken = (t) => page.evaluate(async (t) => (await fetch("/dicom-web/studies?limit=1", { credentials: "omit", headers: { Authorization: `Bearer ${t}` } })).status, t);
  check((await withToken(token)) === 200, "the new token works", await withToken(token));
  await page.getByRole("row", { name: /RIS bridge/ }).waitFor();
  await shot(page, "06-tokens");
  await accessible(page, "tokens");
  await page.getByRole("button", { name: "Revoke token RIS bridge" }).click();
  await confirm(page, "Revoke token");
  await statusHas(page, 'The token "RIS bridge" was revoked.');
  check((await withToken(token)) === 401, "the revoked token is refused", await withToken(token));
  // An admin's token for the service account, limited to what its role allows.
  await page.getByLabel("Name", { exact: true }).fill("nightly import");
  await page.getByRole("group", { name: "What the token may do" }).getByLabel("Store studies").check();
  await page.getByLabel("For", { exact: true }).selectOption({ label: "pacs-bridge (service account)" });
  await page.getByRole("button", { name: "Create token" }).click();
  const serviceToken = await takeSecret(page, null);
  await page.getByRole("row", { name: /nightly import/ }).waitFor();
  check((await page.getByRole("row", { name: /nightly import/ }).textContent()).includes("pacs-bridge"), "the token belongs to the service account");
  check(serviceToken !== token && serviceToken.length >= 20, "the service account's token is shown once");
  await page.getByLabel("Name", { exact: true }).fill("too much");
  await page.getByRole("group", { name: "What the token may do" }).getByLabel("Manage users").check();
  await page.getByLabel("For", { exact: true }).selectOption({ label: "pacs-bridge (service account)" });
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByRole("alert").filter({ hasText: "The token could not be created:" }).waitFor();
  check(true, "a token beyond the service account's role is refused in words");

  // DICOM peers.
  await go(page, "DICOM peers", "DICOM peers");
  await page.getByText("No DICOM peers yet.").waitFor();
  await page.getByLabel("AE title").fill("CT_ROOM_2");
  await page.getByLabel("Host").fill("10.1.2.3");
  await page.getByLabel("Port").fill("11112");
  const ops = page.getByRole("group", { name: "What it may do" });
  await ops.getByLabel(/C-STORE\)/).first().check();
  await ops.getByLabel(/C-FIND/).check();
  await page.getByRole("button", { name: "Add peer" }).click();
  await page.getByRole("row", { name: /CT_ROOM_2/ }).waitFor();
  let peers = await apiGet(page, "/api/v1/peers");
  check(peers.length === 1 && peers[0].port === 11112 && peers[0].allow.sort().join() === "find,store", "the peer is added", peers);
  await shot(page, "07-peers");
  await accessible(page, "peers");
  // Escape cancels a confirmation like the Cancel button.
  await page.getByRole("button", { name: "Remove peer CT_ROOM_2" }).click();
  await dialog(page).waitFor();
  await page.keyboard.press("Escape");
  await dialog(page).waitFor({ state: "detached" });
  check((await apiGet(page, "/api/v1/peers")).length === 1, "Escape leaves the peer in place");
  check(await page.evaluate(() => document.activeElement?.getAttribute("aria-label") === "Remove peer CT_ROOM_2"), "focus returns to the button that opened the dialog");
  await page.getByRole("button", { name: "Remove peer CT_ROOM_2" }).click();
  await confirm(page, "Remove peer");
  await page.getByText("No DICOM peers yet.").waitFor();
  peers = await apiGet(page, "/api/v1/peers");
  check(peers.length === 0, "the peer is removed", peers);

  // A tenant setting: open storage on (confirmed, it widens access), then off again.
  await go(page, "Tenants", "Tenants and security settings");
  await page.getByRole("row", { name: /Default/ }).waitFor();
  await page.getByRole("checkbox", { name: /^Open storage .* for Default$/ }).check();
  await shot(page, "08-tenant-confirm", false);
  await confirm(page, "Turn on");
  await statusHas(page, "now on for Default");
  let tenant = (await apiGet(page, "/api/v1/tenants")).find((t) => t.id === "default");
  check(tenant.open_storage === true, "open storage is on", tenant);
  await page.getByRole("checkbox", { name: /^Open storage .* for Default$/ }).uncheck();
  await statusHas(page, "now off for Default");
  tenant = (await apiGet(page, "/api/v1/tenants")).find((t) => t.id === "default");
  check(tenant.open_storage === false, "open storage is off again (no confirmation needed)", tenant);
  await shot(page, "09-tenants");
  await accessible(page, "tenants");
  await go(page, "Audit trail", "Audit trail");
  await page.locator("#audit-status").filter({ hasText: /^Records 1–/ }).waitFor();
  await accessible(page, "audit trail (admin)");
  check(seen.problems.length === 0, "no CSP violation or script error on the admin's screens", seen.problems);

  // The auditor: password and a second factor, lands on the audit trail, sees no worklist or
  // admin screens.
  const auditorContext = await browser.newContext(CONTEXT_OPTIONS);
  const auditor = await auditorContext.newPage();
  auditor.setDefaultTimeout(15_000);
  const auditorSeen = watch(auditor, "auditor");
  const requested = [];
  auditor.on("request", (r) => requested.push(r.url()));
  await auditor.goto(`${URL}/app/`);
  await firstSignIn(auditor, "auditor1", auditorOtp, AUDITOR_PASSWORD, null, "Audit trail");
  const auditorLinks = await auditor.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
  check(auditorLinks.join() === "Audit trail,Access report,API tokens", "the auditor sees the audit screens only", auditorLinks);
  const refused = await auditor.evaluate(async () => [(await fetch("/api/v1/users")).status, (await fetch("/dicom-web/studies")).status]);
  check(refused.join() === "403,403", "the server refuses the auditor users and studies", refused);

  // Search: the admin's administration actions.
  await auditor.getByLabel("Rows per page").selectOption("100");
  await auditor.locator("#audit-status").filter({ hasText: /^Records 1–/ }).waitFor();
  await auditor.getByLabel("Who").fill(adminActor);
  await auditor.getByLabel("What").selectOption("admin");
  await auditor.getByRole("button", { name: "Search" }).click();
  await auditor.locator("#audit-status").filter({ hasText: /^Records 1–/ }).waitFor();
  const cells = await auditor.$$eval("table.audit tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  check(cells.length >= 14 && cells.every((c) => c[1] === adminActor && c[2] === "Administration"), "the search finds the admin's actions, each by the admin", cells.length);
  const shown = cells.map((c) => c[3]).join("\n");
  check(["user added", "roles", "disabled", "second factor", "grant", "token created", "token revoked", "peer", "tenant"].every((w) => shown.includes(w)), "the Detail column names each kind of action", shown);
  const times = await auditor.$$eval("table.audit time", (ts) => ts.map((t) => [t.textContent, t.getAttribute("title"), t.getAttribute("datetime")]));
  check(times.every(([local, utc, iso]) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(local) && /UTC$/.test(utc) && !Number.isNaN(Date.parse(iso))), "times are local with UTC on hover", times[0]);
  await shot(auditor, "10-audit-search");
  await accessible(auditor, "audit search");
  // One record in full.
  const firstDetails = auditor.getByRole("button", { name: /^Details of record \d+$/ }).first();
  await firstDetails.click();
  const record = dialog(auditor);
  await record.waitFor();
  const recordText = await record.textContent();
  check(recordText.includes("Administration (admin)") && recordText.includes(adminActor), "the record dialog shows who and what");
  await shot(auditor, "11-audit-record", false);
  await accessible(auditor, "audit record");
  await record.getByRole("button", { name: "Close" }).click();
  check(await auditor.evaluate(() => /^Details of record/.test(document.activeElement?.getAttribute("aria-label") ?? "")), "closing the record returns focus to its button");
  // Export the search as JSON lines: the downloaded file holds exactly those records.
  await auditor.getByLabel("Format").selectOption("jsonl");
  const [download] = await Promise.all([auditor.waitForEvent("download"), auditor.getByRole("button", { name: "Download export" }).click()]);
  const lines = fs.readFileSync(await download.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  check(lines.length === cells.length && lines.every((r) => r.actor === adminActor && r.action === "admin" && /^[0-9a-f]{64}$/.test(r.hash)), "the export holds the searched records with their hashes", { lines: lines.length, rows: cells.length });
  check(/\.jsonl$/.test(download.suggestedFilename()), "the download is named .jsonl", download.suggestedFilename());
  const details = lines.map((r) => r.detail).join("\n");
  check(["user added", "token revoked", "peer"].every((w) => details.includes(w)), "the exported records name the admin's actions");
  await statusHas(auditor, "The export is recorded in the audit trail.");

  // The per-patient access report.
  await go(auditor, "Access report", "Patient access report");
  await auditor.getByLabel("Patient ID", { exact: true }).fill(EXPECT.report_pid);
  await auditor.getByRole("button", { name: "Show report" }).click();
  await auditor.locator("#report-status").filter({ hasText: /recorded accesses|No recorded access/ }).waitFor();
  const report = await auditor.$$eval("table.audit tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  check(report.some((c) => c[1] === adminActor && c[2] === "Open images" && c[5].includes(EXPECT.report_uid)), "the report shows the admin opening the patient's study", report);
  await shot(auditor, "12-access-report");
  await accessible(auditor, "access report");
  const leaked = requested.filter((u) => u.includes(EXPECT.report_pid) || u.includes(encodeURIComponent(EXPECT.report_pid)));
  check(leaked.length === 0, "the patient ID is in no requested URL", leaked);
  check(auditorSeen.problems.length === 0, "no CSP violation or script error on the auditor's screens", auditorSeen.problems);
  // The export was recorded, as the auditor's own audit_read.
  const reads = await auditor.evaluate(async (actor) => {
    const me = await (await fetch("/api/v1/me")).json();
    const r = await fetch("/api/v1/audit/search", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token }, body: JSON.stringify({ actor, action: "audit_read" }) });
    return (await r.json()).records.map((x) => x.detail);
  }, (await apiGet(auditor, "/api/v1/me")).actor);
  check(reads.some((d) => d.startsWith("export jsonl")) && reads.some((d) => d.startsWith("patient access report")), "the export and the report are in the trail", reads);
  await auditorContext.close();
  await context.close();
});
