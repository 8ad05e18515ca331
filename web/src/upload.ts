// The upload screen: images from a patient's CD, a folder or a .zip go to the archive with
// STOW-RS; PDF, JPEG and PNG documents are attached to a study the user picks (from the
// worklist's "Attach document", or by its Study Instance UID). One line per file says what
// happened in plain words. The screen lives for the page's lifetime: uploads keep going while
// the user looks at the worklist, and leaving the page while files are sent asks first.
import * as api from "./api";
import { announce, field, h, show } from "./dom";
import { type Item, PARALLEL, UploadQueue } from "./upload_queue";
import { baseName, classify, fromDrop, fromInput, type Picked, unzip } from "./upload_sources";
import { abortAll, sendDicom, sendDocument } from "./upload_send";

export interface StudyChoice {
  uid: string;
  label: string; // "DOE, JANE · 2020-01-01 · CT HEAD", kept in memory only
}

const rows = new Map<number, { tr: HTMLTableRowElement; bar: HTMLProgressElement; result: HTMLElement }>();
let screen: HTMLElement | null = null;
let refs: ReturnType<typeof build> | null = null;

const queue = new UploadQueue(
  (item, onProgress) => (item.kind === "dicom" ? sendDicom(item.file, onProgress) : sendDocument(item.study, item.file, item.docType, item.title, onProgress)),
  (item) => render(item),
);

window.addEventListener("beforeunload", (e) => {
  if (queue.busy()) e.preventDefault();
});

// A file dropped beside the drop zone would make the browser open it and leave the page: on
// the upload screen, a drop anywhere counts; elsewhere it is ignored.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => {
  e.preventDefault();
  if (screen?.isConnected && e.dataTransfer) void fromDrop(e.dataTransfer).then(addAll);
});

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// Sorts one picked file into the queue (zip archives are unpacked into it).
async function addPicked(p: Picked): Promise<void> {
  const kind = await classify(p);
  switch (kind.kind) {
    case "dicom":
      queue.add(p.path, p.file, { kind: "dicom", state: "queued", text: "waiting to be sent" });
      return;
    case "dicomdir":
      queue.add(p.path, p.file, { kind: "none", state: "skipped", text: "skipped: DICOMDIR (directory index)" });
      return;
    case "document":
      queue.add(p.path, p.file, { kind: "document", docType: kind.type, state: "waiting", text: `waiting: a ${kind.label} — choose its study under “Attach documents to a study”, then press “Attach”` });
      return;
    case "zip":
      await unzip(p, (entry) => void addPicked(entry), (path, reason) => queue.add(path, new Blob(), { kind: "none", state: "rejected", text: `rejected: ${reason}` }));
      return;
    case "other":
      queue.add(p.path, p.file, { kind: "none", state: "rejected", text: "rejected: not a DICOM file, PDF, JPEG or PNG" });
  }
}

async function addAll(picked: Picked[]): Promise<void> {
  if (picked.length === 0) return;
  announce(`Adding ${picked.length} file${picked.length === 1 ? "" : "s"}.`);
  for (const p of picked) {
    try {
      await addPicked(p);
    } catch {
      queue.add(p.path, new Blob(), { kind: "none", state: "rejected", text: "rejected: the file could not be read" });
    }
  }
  render(null);
}

function picker(label: string, id: string, attrs: Record<string, string | boolean>): HTMLElement {
  const input = h("input", { type: "file", id, class: "visually-hidden", ...attrs });
  input.addEventListener("change", () => {
    const picked = fromInput(input.files);
    input.value = "";
    void addAll(picked);
  });
  return h("span", { class: "picker" }, input, h("label", { for: id, class: "button secondary" }, label));
}

function build(initial: StudyChoice | null, images: boolean) {
  const drop = h(
    "div",
    { class: "dropzone", id: "dropzone" },
    h("p", { class: "drop-title" }, "Drop files, folders or .zip archives here"),
    h("p", { class: "hint" }, "or choose them:"),
    h("div", { class: "actions center" }, picker("Choose files…", "pick-files", { multiple: true }), picker("Choose a folder…", "pick-folder", { webkitdirectory: true, multiple: true })),
  );
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    e.stopPropagation();
    drop.classList.remove("over");
    if (e.dataTransfer) void fromDrop(e.dataTransfer).then(addAll);
  });

  const studyUid = h("input", { name: "study", id: "study-uid", autocomplete: "off", spellcheck: "false", value: initial?.uid ?? "" });
  const studyLabel = h("p", { class: "study-label", id: "study-label", "aria-live": "polite" }, initial ? `Study: ${initial.label}` : "No study chosen yet.");
  const title = h("input", { name: "title", id: "doc-title", autocomplete: "off", maxlength: "64", placeholder: "e.g. Referral letter" });
  const attach = h("button", { type: "button", class: "primary", id: "attach", disabled: true }, "Attach documents");
  let confirmed = initial?.uid ?? "";
  studyUid.addEventListener("change", async () => {
    const uid = studyUid.value.trim();
    confirmed = "";
    render(null);
    if (!uid) return void (studyLabel.textContent = "No study chosen yet.");
    studyLabel.textContent = "Looking up the study…";
    try {
      const found = await api.findStudy(uid);
      const s = found[0];
      if (!s) return void (studyLabel.textContent = "No study with this UID is in the archive.");
      const pn = s["00100010"]?.Value?.[0] as { Alphabetic?: string } | undefined;
      const name = (pn?.Alphabetic ?? "").split("^").filter(Boolean).join(", ") || "(no name)";
      const date = String(s["00080020"]?.Value?.[0] ?? "");
      const desc = String(s["00081030"]?.Value?.[0] ?? "");
      studyLabel.textContent = `Study: ${[name, date.replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3"), desc].filter(Boolean).join(" · ")}`;
      confirmed = uid;
      render(null);
    } catch (err) {
      studyLabel.textContent = err instanceof api.ApiError ? `The study could not be looked up: ${err.message}` : "Arca cannot be reached.";
    }
  });
  attach.addEventListener("click", () => {
    const waiting = queue.items.filter((i) => i.state === "waiting");
    for (const item of waiting) {
      item.study = confirmed;
      item.title = title.value.trim() || baseName(item.path).replace(/\.[^.]+$/, "");
      queue.enqueue(item);
    }
    announce(`Attaching ${waiting.length} document${waiting.length === 1 ? "" : "s"}.`);
  });
  const docs = h(
    "section",
    { class: "card", "aria-labelledby": "docs-title" },
    h("h2", { id: "docs-title" }, "Attach documents to a study"),
    h("p", { class: "hint" }, "PDF, JPEG and PNG files (a referral letter, a photo) become part of the study they belong to."),
    field("Study Instance UID", studyUid, "Filled in when you choose “Attach document” in the worklist."),
    studyLabel,
    field("Title (optional)", title, "Shown as the series description; the file name is used when empty."),
    h("div", { class: "actions" }, picker("Choose documents…", "pick-docs", { multiple: true, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" }), attach),
  );

  const overall = h("progress", { id: "overall", max: 100, value: 0, "aria-labelledby": "overall-label" });
  const overallText = h("p", { id: "overall-text", class: "status", "aria-live": "polite" }, "Nothing added yet.");
  const retry = h("button", { type: "button", class: "secondary", id: "retry", disabled: true }, "Retry failed");
  retry.addEventListener("click", () => announce(`Retrying ${queue.retryFailed()} files.`));
  const body = h("tbody");
  const table = h(
    "table",
    { class: "files", id: "files" },
    h("caption", { class: "visually-hidden" }, "Files and their results"),
    h("thead", {}, h("tr", {}, ...["File", "Size", "Progress", "Result"].map((c) => h("th", { scope: "col" }, c)))),
    body,
  );
  const progress = h(
    "section",
    { class: "card", "aria-labelledby": "progress-title" },
    h("h2", { id: "progress-title" }, "Progress"),
    h("div", { class: "overall" }, h("span", { id: "overall-label" }, "Overall"), overall, retry),
    overallText,
    h("div", { class: "table-wrap" }, table),
  );
  const section = h(
    "section",
    { class: "upload", "aria-labelledby": "screen-title" },
    h("h1", { id: "screen-title" }, "Upload"),
    images
      ? h("p", { class: "intro" }, `Add the images from a patient's CD, a folder or a .zip file. Each file is checked and stored, ${PARALLEL} at a time; the list shows what happened to each one.`)
      : h("p", { class: "intro" }, "Attach a referral letter or a photo to a patient's study. Your role stores documents, not images."),
    // Without study.write (the front desk, DESIGN §5) only documents: the server refuses images.
    h("div", { class: "upload-grid" }, ...(images ? [h("section", { class: "card", "aria-label": "Images" }, h("h2", {}, "Images from a CD, folder or .zip"), drop)] : []), docs),
    progress,
  );
  return { section, body, overall, overallText, retry, attach, studyUid, studyLabel, title, confirmed: () => confirmed, setStudy: (c: StudyChoice) => {
    studyUid.value = c.uid;
    studyLabel.textContent = `Study: ${c.label}`;
    confirmed = c.uid;
    render(null);
  } };
}

function render(item: Item | null): void {
  if (!refs) return;
  if (item) {
    let r = rows.get(item.id);
    if (!r) {
      const bar = h("progress", { max: Math.max(1, item.file.size), value: 0, "aria-label": `Progress of ${item.path}` });
      const result = h("span", { class: "result" });
      const tr = h("tr", { "data-path": item.path }, h("th", { scope: "row", class: "path" }, item.path), h("td", { class: "size" }, item.kind === "none" ? "" : size(item.file.size)), h("td", {}, item.kind === "none" ? "—" : bar), h("td", {}, result));
      r = { tr, bar, result };
      rows.set(item.id, r);
      refs.body.append(tr);
    }
    r.tr.dataset.state = item.state;
    r.bar.value = ["stored", "duplicate"].includes(item.state) ? r.bar.max : item.loaded;
    r.result.textContent = item.text;
  }
  const p = queue.progress();
  const pct = p.total === 0 ? (p.files > 0 && p.filesDone === p.files ? 100 : 0) : Math.floor((100 * p.done) / p.total);
  refs.overall.value = pct;
  const c = queue.counts();
  const text =
    p.files === 0
      ? "Nothing added yet."
      : `${p.filesDone} of ${p.files} files done (${pct}%): ${c.stored} stored, ${c.duplicate} duplicate, ${c.rejected} rejected, ${c.skipped} skipped${c.failed ? `, ${c.failed} failed` : ""}.`;
  // Announced (aria-live) only when a file finishes, not on every progress event.
  if (!item || !["sending", "queued"].includes(item.state)) refs.overallText.textContent = text;
  refs.retry.disabled = c.failed === 0;
  const waiting = c.waiting;
  refs.attach.disabled = waiting === 0 || !refs.confirmed();
  refs.attach.textContent = waiting ? `Attach ${waiting} document${waiting === 1 ? "" : "s"}` : "Attach documents";
}

// Signing out (or a lost session): stop every upload and forget every file name, so the next
// person at this browser sees none of them.
export function resetUploads(): void {
  abortAll();
  queue.clear();
  rows.clear();
  refs = null;
  screen = null;
}

// Shows the upload screen (the same one all along), optionally with a study for documents;
// `images` false (no study.write): documents only.
export function uploadScreen(study: StudyChoice | null = null, images = true): void {
  if (!refs) {
    refs = build(study, images);
    screen = refs.section;
  } else if (study) refs.setStudy(study);
  show("Upload", screen!);
  render(null);
}
