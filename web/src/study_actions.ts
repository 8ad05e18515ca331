// A worklist row's study actions, shown only when /api/v1/me grants them:
// - "Download (zip)": a plain link to GET /api/v1/studies/{uid}/archive (study.export). The
//   session cookie authenticates the GET; the server streams the zip with a PHI-free name.
// - "Delete" (study.delete, admins): asks first in a modal dialog that names the study the way
//   staff know it — patient, date, description, number of images — not by its UID alone.
import * as api from "./api";
import { h } from "./dom";
import "./worklist.css";

export interface StudySummary {
  uid: string;
  patient: string; // display name, "(no name)" when empty
  date: string; // yyyy-mm-dd or ""
  description: string;
  images: string;
}

const describe = (s: StudySummary) =>
  `${s.patient}${s.date ? `, ${s.date}` : ", no date"}${s.description ? `, ${s.description}` : ""}`;

export function downloadLink(s: StudySummary): HTMLAnchorElement {
  return h(
    "a",
    { href: `/api/v1/studies/${encodeURIComponent(s.uid)}/archive`, download: "", class: "download", "aria-label": `Download the study of ${describe(s)} as a zip file` },
    "Download (zip)",
  );
}

// Resolves true when the user confirmed and the server deleted the study.
function confirmDelete(s: StudySummary): Promise<boolean> {
  return new Promise((resolve) => {
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const yes = h("button", { type: "button", class: "danger" }, "Delete study");
    const no = h("button", { type: "button", class: "secondary", autofocus: true }, "Cancel");
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "delete-title", "aria-describedby": "delete-text" },
      h("h2", { id: "delete-title" }, "Delete this study?"),
      h(
        "div",
        { id: "delete-text" },
        h(
          "dl",
          { class: "study-facts" },
          h("dt", {}, "Patient"),
          h("dd", {}, s.patient),
          h("dt", {}, "Study date"),
          h("dd", {}, s.date || "—"),
          h("dt", {}, "Description"),
          h("dd", {}, s.description || "—"),
          h("dt", {}, "Images"),
          h("dd", {}, s.images || "?"),
        ),
        h("p", {}, "Its images and reports are removed from Arca for good. This cannot be undone."),
      ),
      error,
      h("div", { class: "actions" }, yes, no),
    );
    const close = (deleted: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(deleted);
    };
    no.addEventListener("click", () => close(false));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      close(false);
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await api.deleteStudy(s.uid);
        close(true);
      } catch (err) {
        if (err instanceof api.ApiError && err.status === 401) return close(false);
        error.textContent = err instanceof api.ApiError ? `The study was not deleted: ${err.message}` : "Arca cannot be reached. The study was not deleted.";
        error.hidden = false;
        yes.disabled = false;
        no.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function deleteButton(s: StudySummary, deleted: (s: StudySummary) => void): HTMLButtonElement {
  const button = h("button", { type: "button", class: "link delete", "aria-label": `Delete the study of ${describe(s)}` }, "Delete");
  button.addEventListener("click", async () => {
    if (await confirmDelete(s)) deleted(s);
    else button.focus();
  });
  return button;
}
