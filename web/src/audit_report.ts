// The patient access report (GDPR Art. 15, "who saw my data"): every recorded access to one
// patient's data, found by the patient's keyed hash. The patient ID goes to the server only in
// a POST body (admin_api.ts) — never in a URL, where it would reach logs and browser history —
// and is kept only in this screen's memory.
import type * as api from "./api";
import * as admin from "./admin_api";
import { failure, isSessionLoss, statusLine } from "./admin_form";
import { actionText, actorNames, actorText, recordsTable } from "./audit_table";
import { announce, errorBox, field, h, setError, show } from "./dom";

const LIMIT = 1000;

export function accessReportScreen(me: api.Me): void {
  const pid = h("input", { name: "patient-id", autocomplete: "off", spellcheck: "false", autofocus: true });
  const issuer = h("input", { name: "issuer", autocomplete: "off", spellcheck: "false" });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Patient access report" },
    field("Patient ID", pid),
    field("Issuer of the patient ID", issuer, "Only if your archive holds IDs from several issuers."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Show report")),
  );
  const box = errorBox();
  const status = h("p", { class: "status", id: "report-status" });
  const summary = h("ul", { class: "summary" });
  const names = new Map<string, string>();
  const { table, fill } = recordsTable("Accesses to the patient's data", names);
  table.setAttribute("aria-describedby", "report-status");
  const download = h("button", { type: "button", class: "secondary", disabled: true }, "Download report (JSON lines)");
  const exportStatus = statusLine();
  let current: admin.AuditFilter | null = null;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setError(box, null);
    if (!pid.value.trim()) return setError(box, "Enter the patient ID.");
    current = { patient_id: pid.value.trim(), issuer: issuer.value.trim() || undefined };
    status.textContent = "Searching…";
    try {
      const page = await admin.searchAudit({ ...current, order: "newest", limit: LIMIT });
      fill(page.records);
      const people = new Map<string, number>();
      for (const r of page.records) people.set(r.actor, (people.get(r.actor) ?? 0) + 1);
      summary.replaceChildren(...[...people].map(([who, n]) => h("li", {}, `${actorText(who, names)}: ${n} record${n === 1 ? "" : "s"} (${[...new Set(page.records.filter((r) => r.actor === who).map((r) => actionText(r.action)))].join(", ")})`)));
      const text = page.records.length === 0 ? "No recorded access to this patient's data." : `${page.records.length} recorded accesses by ${people.size} ${people.size === 1 ? "person or system" : "people or systems"}${page.next_before != null ? ` (the latest ${LIMIT}; download the report for all)` : ""}.`;
      status.textContent = text;
      announce(text);
      download.disabled = false;
    } catch (err) {
      fill([]);
      summary.replaceChildren();
      status.textContent = "";
      if (!isSessionLoss(err)) setError(box, failure("The report failed", err));
    }
  });
  download.addEventListener("click", async () => {
    if (!current) return;
    setError(box, null);
    try {
      const f = await admin.exportAudit(current, "jsonl");
      exportStatus.textContent = `Downloaded ${f.name} (${f.size.toLocaleString()} bytes).`;
    } catch (err) {
      if (!isSessionLoss(err)) setError(box, failure("The download failed", err));
    }
  });

  show(
    "Patient access report",
    h(
      "section",
      { class: "audit-screen", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "Patient access report"),
      h("p", { class: "intro" }, "Who saw or changed one patient's data, for a patient's request to know (GDPR Article 15). Running the report is recorded in the audit trail."),
      form,
      box,
      status,
      h("section", { "aria-label": "Summary by person" }, summary),
      h("div", { class: "table-wrap" }, table),
      h("div", { class: "actions spaced" }, download),
      exportStatus,
    ),
  );
  void actorNames(me.permissions.includes("admin.users")).then((n) => n.forEach((v, k) => names.set(k, v)));
}
