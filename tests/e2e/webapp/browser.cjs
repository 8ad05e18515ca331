// The first browser suite (webapp_test.py): sign-in, worklist, viewer, roles, idle and expiry.
// Debian's Chromium, driven by playwright-core from web/node_modules, against the `arca serve`
// that the Python half started on loopback; shared pieces in common.cjs. EXPECT holds the
// ground truth from the imported files, ARCA_OTP the admin's one-time password.
"use strict";
const common = require("./common.cjs");
const { URL, CONTEXT_OPTIONS, check, sameSet, shot, accessible, heading, watch, firstSignIn, status, settled, rows, uidOf, allPages, search, run } = common;

const EXPECT = JSON.parse(process.env.EXPECT);
const NEW_ADMIN_PASSWORD = "correct horse battery staple 42";
const NEW_DESK_PASSWORD = "front desk opens at eight";

run(async (browser) => {
  {
    const contextOptions = CONTEXT_OPTIONS;
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
    const createUser = (username, role) => common.createUser(page, username, role);
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

    // An auditor has no worklist (and QIDO refuses it): the shell opens the audit trail instead.
    const auditorCreated = await createUser("auditor1", "auditor");
    check(auditorCreated.status === 201, "admin creates an auditor", auditorCreated.status);
    const auditorContext = await browser.newContext(contextOptions);
    const auditor = await auditorContext.newPage();
    auditor.setDefaultTimeout(15_000);
    await auditor.goto(`${URL}/app/`);
    // The audit trail reveals who opened which patient's studies: a second factor is owed too.
    await firstSignIn(auditor, "auditor1", auditorCreated.body.one_time_password, "audit trail reader 2026", null, "Audit trail");
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
  }
});
