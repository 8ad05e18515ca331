// The audit trail screen (audit.read: administrators and auditors): search by time, who, what,
// outcome, study or patient; page through the results; open one record; download everything
// the search matches as JSON lines or DICOM audit messages. Filters are sent in POST bodies
// (admin_api.ts), so a patient ID typed here never appears in a URL.
import type * as api from "./api";
import * as admin from "./admin_api";
import { failure, isSessionLoss, statusLine } from "./admin_form";
import { ACTION_LABELS, actorNames, recordsTable } from "./audit_table";
import { announce, errorBox, field, h, setError, show } from "./dom";

const PAGE_SIZES = [25, 50, 100];

export function auditScreen(me: api.Me): void {
  // The last 7 days by default: the newest records are what one usually looks for, and the
  // range is visible (and clearable) in the form.
  const weekAgo = new Date(Date.now() - 7 * 24 * 3600_000);
  const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const inputs = {
    from: h("input", { name: "from", type: "datetime-local", value: localInput(weekAgo) }),
    to: h("input", { name: "to", type: "datetime-local" }),
    actor: h("input", { name: "actor", autocomplete: "off", spellcheck: "false" }),
    study: h("input", { name: "study", autocomplete: "off", spellcheck: "false" }),
    patient: h("input", { name: "patient", autocomplete: "off", spellcheck: "false" }),
  };
  const action = h("select", { name: "action" }, h("option", { value: "" }, "Any"), ...Object.entries(ACTION_LABELS).map(([v, l]) => h("option", { value: v }, l)));
  const outcome = h("select", { name: "outcome" }, h("option", { value: "" }, "Any"), h("option", { value: "success" }, "Success"), h("option", { value: "failure" }, "Failure (refused or failed)"));
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Search the audit trail" },
    field("From", inputs.from, "7 days back unless changed; empty it to search the whole trail."),
    field("To", inputs.to),
    field("Who", inputs.actor, "e.g. user:12, token:3, ae:CT1 (or just the AE title)"),
    field("What", action),
    field("Outcome", outcome),
    field("Study Instance UID", inputs.study),
    field("Patient ID", inputs.patient, "Matched by its keyed hash; not stored."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Search"), h("button", { type: "reset", class: "secondary" }, "Clear")),
  );

  let filter: admin.AuditFilter = { from: weekAgo.getTime() };
  let pageSize = 25;
  let afters: number[] = [0]; // the cursor (`before`, newest first) of each page seen, for Previous
  let nextAfter: number | null = null;
  const names = new Map<string, string>();

  const box = errorBox();
  const status = h("p", { class: "status", id: "audit-status" });
  const { table, fill } = recordsTable("Audit records", names);
  table.setAttribute("aria-describedby", "audit-status");
  const prev = h("button", { type: "button", class: "secondary", disabled: true }, "Previous page");
  const next = h("button", { type: "button", class: "secondary", disabled: true }, "Next page");
  const size = h("select", { name: "pageSize" }, ...PAGE_SIZES.map((n) => h("option", { value: n, selected: n === pageSize }, String(n))));
  const format = h("select", { name: "format" }, h("option", { value: "jsonl" }, "JSON lines (.jsonl)"), h("option", { value: "dicom" }, "DICOM audit messages (XML)"));
  const download = h("button", { type: "button", class: "secondary" }, "Download export");
  const exportStatus = statusLine();

  const ms = (v: string) => (v ? new Date(v).getTime() : undefined);

  async function load(): Promise<void> {
    setError(box, null);
    status.textContent = "Searching…";
    table.setAttribute("aria-busy", "true");
    try {
      const after = afters[afters.length - 1];
      const page = await admin.searchAudit({ ...filter, order: "newest", before: after, limit: pageSize });
      fill(page.records);
      nextAfter = page.next_before ?? null;
      const first = (afters.length - 1) * pageSize + 1;
      const text = page.records.length === 0 ? (afters.length === 1 ? "No audit records match." : "No more records.") : `Records ${first}–${first + page.records.length - 1}${nextAfter === null ? " (end of list)" : ""}`;
      status.textContent = text;
      announce(text);
      prev.disabled = afters.length === 1;
      next.disabled = nextAfter === null;
    } catch (err) {
      fill([]);
      status.textContent = "";
      if (!isSessionLoss(err)) setError(box, failure("The search failed", err));
    } finally {
      table.removeAttribute("aria-busy");
    }
  }

  function restart(): void {
    afters = [0];
    void load();
  }

  // The filters as the form shows them; null (after saying why) when they make no sense.
  function readForm(): admin.AuditFilter | null {
    const from = ms(inputs.from.value);
    const to = ms(inputs.to.value);
    if (from !== undefined && to !== undefined && from > to) {
      setError(box, "The start of the time range is after its end.");
      return null;
    }
    return {
      from,
      to: to === undefined ? undefined : to + 60_000, // the whole minute chosen
      actor: inputs.actor.value.trim() || undefined,
      action: action.value || undefined,
      outcome: outcome.value || undefined,
      study: inputs.study.value.trim() || undefined,
      patient_id: inputs.patient.value.trim() || undefined,
    };
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const f = readForm();
    if (!f) return;
    filter = f;
    restart();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => {
      filter = readForm() ?? {};
      restart();
    });
  });
  prev.addEventListener("click", () => {
    afters.pop();
    void load();
  });
  next.addEventListener("click", () => {
    if (nextAfter === null) return;
    afters.push(nextAfter);
    void load();
  });
  size.addEventListener("change", () => {
    pageSize = Number(size.value);
    restart();
  });
  download.addEventListener("click", async () => {
    setError(box, null);
    exportStatus.textContent = "Preparing the export…";
    download.disabled = true;
    try {
      const f = await admin.exportAudit(filter, format.value as "jsonl" | "dicom");
      exportStatus.textContent = `Downloaded ${f.name} (${f.size.toLocaleString()} bytes). The export is recorded in the audit trail.`;
    } catch (err) {
      exportStatus.textContent = "";
      if (!isSessionLoss(err)) setError(box, failure("The export failed", err));
    } finally {
      download.disabled = false;
    }
  });

  show(
    "Audit trail",
    h(
      "section",
      { class: "audit-screen", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "Audit trail"),
      h("p", { class: "intro" }, "Every access to the archive: who did what, when, from where, and whether it was allowed. Searching is itself recorded."),
      form,
      box,
      status,
      h("div", { class: "table-wrap" }, table),
      h("nav", { class: "pager", "aria-label": "Pages" }, prev, next, field("Rows per page", size)),
      h("section", { class: "card export", "aria-labelledby": "export-title" }, h("h2", { id: "export-title" }, "Export this search"), h("p", { class: "hint" }, "Every record the current filters match, not only this page."), h("div", { class: "actions" }, field("Format", format), download), exportStatus),
    ),
  );
  void actorNames(me.permissions.includes("admin.users")).then((n) => {
    n.forEach((v, k) => names.set(k, v));
    void load();
  });
}
