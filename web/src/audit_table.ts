// The audit records as a readable table (local time with UTC on hover, who, what, outcome,
// objects, address) and the full view of one record in a dialog.
import * as admin from "./admin_api";
import { localText, timeEl, utcText } from "./admin_form";
import { showDetails } from "./dialog";
import { h } from "./dom";

export const ACTION_LABELS: Record<string, string> = {
  login: "Sign-in",
  logout: "Sign-out",
  query: "Search studies",
  retrieve: "Open images",
  transfer_begin: "Transfer started",
  store: "Store",
  delete: "Delete",
  erase: "Erase patient",
  export: "Export",
  share: "Share",
  admin: "Administration",
  audit_read: "Read the audit trail",
  backup: "Backup",
  restore: "Restore from backup",
};

export const actionText = (a: string) => ACTION_LABELS[a] ?? a;

// "user:12" -> "alice (user:12)" when the name is known (admins); the id alone otherwise.
export type Names = Map<string, string>;
export const actorText = (actor: string, names: Names) => (names.has(actor) ? `${names.get(actor)} (${actor})` : actor);

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export function objectsText(r: admin.AuditRecord): string {
  const parts: string[] = [];
  if (r.patients.length) parts.push(plural(r.patients.length, "patient"));
  if (r.studies.length === 1) parts.push(`study ${r.studies[0]}`);
  else if (r.studies.length > 1) parts.push(plural(r.studies.length, "study").replace("studys", "studies"));
  if (r.series.length) parts.push(plural(r.series.length, "series").replace("seriess", "series"));
  if (r.instances.length) parts.push(plural(r.instances.length, "instance"));
  return parts.join(", ") || "—";
}

function list(values: string[]): Node {
  if (values.length === 0) return document.createTextNode("—");
  return h("ul", { class: "uids" }, ...values.map((v) => h("li", {}, h("code", {}, v))));
}

export function showRecord(r: admin.AuditRecord, names: Names): Promise<void> {
  const rows: [string, Node | string][] = [
    ["Record number", String(r.seq)],
    ["Time (local)", localText(r.time_ms)],
    ["Time (UTC)", utcText(r.time_ms)],
    ["Who", actorText(r.actor, names)],
    ["Tenant", r.tenant],
    ["What", `${actionText(r.action)} (${r.action})`],
    ["Outcome", r.outcome === "success" ? "Success" : `Failure${r.error_code ? ` (${r.error_code})` : ""}`],
    ["Detail", r.detail || "—"],
    ["Patients (keyed hashes, never the ID)", list(r.patients)],
    ["Studies", list(r.studies)],
    ["Series", list(r.series)],
    ["Instances", list(r.instances)],
    ["Network address", r.client_address || "—"],
    ["Program (user agent)", r.user_agent || "—"],
    ["Request", r.request_id || "—"],
  ];
  // The list scrolls when a record names many objects: focusable so the keyboard can scroll it.
  const dl = h("dl", { class: "record", tabindex: "0", "aria-label": "Record details" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  return showDetails(`Audit record ${r.seq}`, dl);
}

export function recordsTable(caption: string, names: Names): { table: HTMLTableElement; fill(records: admin.AuditRecord[]): void } {
  const body = h("tbody");
  const table = h(
    "table",
    { class: "grid audit" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, ...["Time", "Who", "What", "Detail", "Outcome", "Objects", "Address", ""].map((c) => h("th", { scope: "col" }, c || h("span", { class: "visually-hidden" }, "Details"))))),
    body,
  );
  const fill = (records: admin.AuditRecord[]) => {
    body.replaceChildren(
      ...records.map((r) => {
        const open = h("button", { type: "button", class: "link", "aria-label": `Details of record ${r.seq}` }, "Details");
        open.addEventListener("click", () => void showRecord(r, names));
        return h(
          "tr",
          { class: r.outcome === "success" ? undefined : "failed" },
          h("td", {}, timeEl(r.time_ms)),
          h("td", {}, actorText(r.actor, names)),
          h("td", {}, actionText(r.action)),
          h("td", { class: "detail" }, r.detail || "—"),
          h("td", {}, r.outcome === "success" ? "Success" : "Failure"),
          h("td", { class: "objects" }, objectsText(r)),
          h("td", {}, r.client_address || "—"),
          h("td", {}, open),
        );
      }),
    );
  };
  return { table, fill };
}

// Usernames for actor ids, when the caller may list users (admins); empty for auditors.
export async function actorNames(canListUsers: boolean): Promise<Names> {
  if (!canListUsers) return new Map();
  try {
    return new Map((await admin.listUsers()).map((u) => [`user:${u.id}`, u.username]));
  } catch {
    return new Map();
  }
}
