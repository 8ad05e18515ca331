// The worklist: a server-side paged, sorted study search over QIDO-RS (Arca's orderby and
// includetotal extensions, docs/conformance.md). Filters and sort live in this screen's memory
// only, never in the page URL, so no patient name or ID lands in the address bar, history or a
// Referer. The next page is known to exist by asking for one row more than shown.
import * as api from "./api";
import { announce, errorBox, field, h, setError, show } from "./dom";
import { type StudySummary, deleteButton, downloadLink } from "./study_actions";

const PAGE_SIZES = [10, 25, 50, 100];

// Set by the shell for users who may attach documents: the row action "Attach document".
let attachDocument: ((study: { uid: string; label: string }) => void) | null = null;
export function onAttachDocument(fn: typeof attachDocument): void {
  attachDocument = fn;
}
const INCLUDE = ["00081030", "00080060", "00080061", "00080090", "00100030", "00201206", "00201208"];
const MODALITIES = ["CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF", "OT", "SR", "SEG", "RTDOSE"];

export interface Filters {
  patientName: string;
  patientId: string;
  accession: string;
  description: string;
  modality: string;
  datePreset: "any" | "today" | "7d" | "range";
  from: string; // yyyy-mm-dd
  to: string;
}

// Server-side sort keys (QIDO orderby keywords) and the default: newest study first.
export type SortKey = "StudyDate" | "PatientName" | "PatientID" | "AccessionNumber" | "ModalitiesInStudy" | "StudyDescription";
export interface Sort {
  key: SortKey;
  descending: boolean;
}
const DEFAULT_SORT: Sort = { key: "StudyDate", descending: true };

const emptyFilters = (): Filters => ({ patientName: "", patientId: "", accession: "", description: "", modality: "", datePreset: "any", from: "", to: "" });

function dicomDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

// The QIDO StudyDate matcher for the chosen preset or range ("" for any date).
export function studyDateMatcher(f: Filters, now = new Date()): string {
  if (f.datePreset === "today") return dicomDate(now);
  if (f.datePreset === "7d") {
    const start = new Date(now);
    start.setDate(start.getDate() - 6);
    return `${dicomDate(start)}-${dicomDate(now)}`;
  }
  if (f.datePreset === "range" && (f.from || f.to)) {
    const from = f.from.replaceAll("-", "");
    const to = f.to.replaceAll("-", "");
    return from === to ? from : `${from}-${to}`;
  }
  return "";
}

// Escapes QIDO wildcard characters typed by the user? QIDO has no escape for them, so they
// are dropped: a user's "*" or "?" would otherwise widen the match silently.
const contains = (v: string) => `*${v.replace(/[*?\\]/g, "").trim()}*`;

export function qidoParams(f: Filters, offset: number, pageSize: number, sort: Sort = DEFAULT_SORT): URLSearchParams {
  const q = new URLSearchParams();
  if (f.patientName.trim()) q.set("PatientName", contains(f.patientName));
  if (f.patientId.trim()) q.set("PatientID", contains(f.patientId));
  if (f.accession.trim()) q.set("AccessionNumber", contains(f.accession));
  if (f.description.trim()) q.set("StudyDescription", contains(f.description));
  if (f.modality) q.set("ModalitiesInStudy", f.modality);
  const date = studyDateMatcher(f);
  if (date) q.set("StudyDate", date);
  q.set("includefield", INCLUDE.join(","));
  q.set("orderby", `${sort.descending ? "-" : ""}${sort.key}`);
  q.set("includetotal", "true");
  q.set("limit", String(pageSize + 1));
  q.set("offset", String(offset));
  return q;
}

function str(s: api.DicomJson, tag: string): string {
  const v = s[tag]?.Value;
  if (!v || v.length === 0) return "";
  return v
    .map((x) => (x && typeof x === "object" && "Alphabetic" in x ? String((x as { Alphabetic: string }).Alphabetic) : String(x)))
    .join(", ");
}

const personName = (pn: string) => pn.split("^").filter(Boolean).join(", ");
const date = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d);

// A cell labelled for the phone layout (one card per study), where empty cells are hidden.
function cell(label: string, content: Node | string): HTMLTableCellElement {
  return h("td", { "data-label": label, "data-empty": content === "" }, content);
}

// The series preview under a study's row, loaded when first opened.
function seriesToggle(uid: string, name: string, counts: string, columns: number): HTMLButtonElement {
  const detailId = `series-${uid.replace(/[^0-9]/g, "-")}`;
  const button = h("button", { type: "button", class: "link series-toggle", "aria-expanded": "false", "aria-controls": detailId, "aria-label": `${counts} series / images: show the series of ${name}` }, counts);
  let detail: HTMLTableRowElement | null = null;
  button.addEventListener("click", async () => {
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    if (open) {
      detail?.remove();
      detail = null;
      return;
    }
    const cellEl = h("td", { colspan: columns }, h("p", { class: "muted" }, "Loading series…"));
    detail = h("tr", { class: "series-row", id: detailId }, cellEl);
    button.closest("tr")?.after(detail);
    try {
      const series = await api.studySeries(uid);
      series.sort((a, b) => Number(str(a, "00200011") || 0) - Number(str(b, "00200011") || 0));
      cellEl.replaceChildren(
        h(
          "table",
          { class: "series", "aria-label": `Series of ${name}` },
          h("thead", {}, h("tr", {}, ...["#", "Modality", "Description", "Images"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            ...series.map((x) =>
              h("tr", {}, h("td", {}, str(x, "00200011")), h("td", {}, str(x, "00080060")), h("td", {}, str(x, "0008103E") || "—"), h("td", {}, str(x, "00201209"))),
            ),
          ),
        ),
      );
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 401) return;
      cellEl.replaceChildren(h("p", { class: "error", role: "alert" }, err instanceof api.ApiError ? `The series could not be loaded: ${err.message}` : "Arca cannot be reached."));
    }
  });
  return button;
}

function attachButton(uid: string, name: string, s: api.DicomJson): HTMLButtonElement {
  const label = [name, date(str(s, "00080020")), str(s, "00081030")].filter(Boolean).join(" · ");
  const b = h("button", { type: "button", class: "link attach", "aria-label": `Attach document to the study of ${name}` }, "Attach document");
  b.addEventListener("click", () => attachDocument?.({ uid, label }));
  return b;
}

interface RowOptions {
  canView: boolean;
  canDownload: boolean;
  canDelete: boolean;
  columns: number;
  deleted: (s: StudySummary) => void;
}

// Open in the viewer, download, attach a document, delete: as the caller's permissions allow
// (none: no column).
function actions(summary: StudySummary, open: HTMLAnchorElement, attach: HTMLButtonElement | null, o: RowOptions): HTMLTableCellElement | null {
  if (!o.canView && !o.canDownload && !o.canDelete && !attach) return null;
  return cell("Actions", h("div", { class: "row-actions" }, o.canView ? open : null, o.canDownload ? downloadLink(summary) : null, attach, o.canDelete ? deleteButton(summary, o.deleted) : null));
}

function row(s: api.DicomJson, o: RowOptions): HTMLTableRowElement {
  const uid = str(s, "0020000D");
  const name = personName(str(s, "00100010")) || "(no name)";
  const counts = `${str(s, "00201206") || "?"} / ${str(s, "00201208") || "?"}`;
  const open = h("a", { href: `/viewer?StudyInstanceUIDs=${encodeURIComponent(uid)}`, class: "open", "aria-label": `Open study of ${name} in the viewer` }, "Open");
  const summary: StudySummary = { uid, patient: name, date: date(str(s, "00080020")), description: str(s, "00081030"), images: str(s, "00201208") };
  return h(
    "tr",
    {},
    h("th", { scope: "row", "data-label": "Patient" }, name),
    cell("Patient ID", str(s, "00100020")),
    cell("Birth date", date(str(s, "00100030"))),
    cell("Study date", date(str(s, "00080020"))),
    cell("Modality", str(s, "00080061")),
    cell("Description", str(s, "00081030")),
    cell("Accession", str(s, "00080050")),
    cell("Series / images", seriesToggle(uid, name, counts, o.columns)),
    actions(summary, open, attachDocument ? attachButton(uid, name, s) : null, o),
  );
}

const COLUMNS: { label: string; sort?: SortKey }[] = [
  { label: "Patient", sort: "PatientName" },
  { label: "Patient ID", sort: "PatientID" },
  { label: "Birth date" },
  { label: "Study date", sort: "StudyDate" },
  { label: "Modality", sort: "ModalitiesInStudy" },
  { label: "Description", sort: "StudyDescription" },
  { label: "Accession", sort: "AccessionNumber" },
  { label: "Series / images" },
];

// A column header; sortable ones hold a button (keyboard: Tab, Enter/Space) and carry aria-sort
// while they order the list.
function header(label: string, key: SortKey | undefined, sort: Sort, choose: (key: SortKey) => void): HTMLTableCellElement {
  if (!key) return h("th", { scope: "col" }, label);
  const active = sort.key === key;
  const arrow = h("span", { class: "arrow", "aria-hidden": "true" }, active ? (sort.descending ? "▼" : "▲") : "↕");
  const button = h("button", { type: "button", class: "sort" }, label, arrow);
  button.addEventListener("click", () => choose(key));
  return h("th", { scope: "col", "aria-sort": active ? (sort.descending ? "descending" : "ascending") : undefined }, button);
}

export function worklistScreen(me: api.Me): void {
  const canView = me.permissions.includes("image.read");
  const canDownload = canView && me.permissions.includes("study.export");
  const canDelete = me.permissions.includes("study.delete");
  let filters = emptyFilters();
  let sort: Sort = { ...DEFAULT_SORT };
  let offset = 0;
  let pageSize = 25;

  const inputs = {
    patientName: h("input", { name: "patientName", type: "search", autocomplete: "off", autofocus: true }),
    patientId: h("input", { name: "patientId", type: "search", autocomplete: "off" }),
    accession: h("input", { name: "accession", type: "search", autocomplete: "off" }),
    description: h("input", { name: "description", type: "search", autocomplete: "off" }),
  };
  const modality = h("select", { name: "modality" }, h("option", { value: "" }, "Any"), ...MODALITIES.map((m) => h("option", { value: m }, m)));
  const preset = h(
    "select",
    { name: "date" },
    h("option", { value: "any" }, "Any date"),
    h("option", { value: "today" }, "Today"),
    h("option", { value: "7d" }, "Last 7 days"),
    h("option", { value: "range" }, "Date range…"),
  );
  const from = h("input", { name: "from", type: "date" });
  const to = h("input", { name: "to", type: "date" });
  const range = h("div", { class: "range", hidden: true }, field("From", from), field("To", to));
  preset.addEventListener("change", () => (range.hidden = preset.value !== "range"));

  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Find studies" },
    field("Patient name", inputs.patientName),
    field("Patient ID", inputs.patientId),
    field("Accession", inputs.accession),
    field("Description", inputs.description),
    field("Modality", modality),
    field("Study date", preset),
    range,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Search"), h("button", { type: "reset", class: "secondary" }, "Clear")),
  );

  const box = errorBox();
  const status = h("p", { class: "status", id: "results-status" });
  const body = h("tbody");
  const headRow = h("tr");
  const extra = canView || canDownload || canDelete || attachDocument ? ["Actions"] : [];
  const caption = h("caption", { class: "visually-hidden" }, "Studies");
  const table = h("table", { class: "studies", "aria-describedby": "results-status" }, caption, h("thead", {}, headRow), body);
  const renderHead = () => {
    const choose = (key: SortKey) => {
      sort = sort.key === key ? { key, descending: !sort.descending } : { key, descending: key === "StudyDate" };
      offset = 0;
      renderHead();
      void load().then(() => headRow.querySelector<HTMLButtonElement>("th[aria-sort] button")?.focus());
    };
    headRow.replaceChildren(...COLUMNS.map((c) => header(c.label, c.sort, sort, choose)), ...extra.map((c) => h("th", { scope: "col" }, c)));
    const label = COLUMNS.find((c) => c.sort === sort.key)?.label ?? "";
    caption.textContent = `Studies, sorted by ${label.toLowerCase()}, ${sort.descending ? "descending" : "ascending"}`;
  };
  renderHead();
  const rowOptions: RowOptions = {
    canView,
    canDownload,
    canDelete,
    columns: COLUMNS.length + extra.length,
    deleted: (s) => {
      announce(`The study of ${s.patient} was deleted.`);
      void load(`The study of ${s.patient}${s.date ? ` from ${s.date}` : ""} was deleted.`);
    },
  };
  const prev = h("button", { type: "button", class: "secondary", disabled: true }, "Previous page");
  const next = h("button", { type: "button", class: "secondary", disabled: true }, "Next page");
  const size = h("select", { name: "pageSize" }, ...PAGE_SIZES.map((n) => h("option", { value: n, selected: n === pageSize }, String(n))));
  size.addEventListener("change", () => {
    pageSize = Number(size.value);
    offset = 0;
    void load();
  });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" }, prev, next, field("Rows per page", size));

  async function load(notice = ""): Promise<void> {
    setError(box, null);
    status.textContent = "Searching…";
    table.setAttribute("aria-busy", "true");
    try {
      let { rows, total } = await api.searchStudiesCounted(qidoParams(filters, offset, pageSize, sort));
      if (rows.length === 0 && offset > 0 && total !== null && total > 0) {
        offset = Math.max(0, Math.floor((total - 1) / pageSize) * pageSize); // the last page shrank away
        ({ rows, total } = await api.searchStudiesCounted(qidoParams(filters, offset, pageSize, sort)));
      }
      const shown = rows.slice(0, pageSize);
      body.replaceChildren(...shown.map((s) => row(s, rowOptions)));
      const range = `Studies ${offset + 1}–${offset + shown.length}`;
      const listed = shown.length === 0 ? (offset === 0 ? "No studies match." : "No more studies.") : total !== null ? `${range} of ${total}` : `${range}${rows.length > pageSize ? "" : " (end of list)"}`;
      const text = notice ? `${notice} ${listed}` : listed;
      status.textContent = text;
      announce(text);
      prev.disabled = offset === 0;
      next.disabled = rows.length <= pageSize;
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 401) return;
      body.replaceChildren();
      status.textContent = "";
      setError(box, err instanceof api.ApiError ? `The search failed: ${err.message}` : "Arca cannot be reached. Check the network and try again.");
    } finally {
      table.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    filters = {
      patientName: inputs.patientName.value,
      patientId: inputs.patientId.value,
      accession: inputs.accession.value,
      description: inputs.description.value,
      modality: modality.value,
      datePreset: preset.value as Filters["datePreset"],
      from: from.value,
      to: to.value,
    };
    offset = 0;
    void load();
  });
  form.addEventListener("reset", () => {
    range.hidden = true;
    filters = emptyFilters();
    offset = 0;
    setTimeout(() => void load());
  });
  prev.addEventListener("click", () => {
    offset = Math.max(0, offset - pageSize);
    void load();
  });
  next.addEventListener("click", () => {
    offset += pageSize;
    void load();
  });

  show(
    "Worklist",
    h(
      "section",
      { class: "worklist", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "Worklist"),
      form,
      box,
      status,
      h("div", { class: "table-wrap" }, table),
      pager,
      canView ? null : h("p", { class: "hint" }, "Your role can find studies but not open images."),
    ) as Node,
  );
  void load();
}
