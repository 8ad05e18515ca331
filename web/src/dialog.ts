// Modal dialogs of the admin screens: a confirmation before anything destructive, a one-time
// secret shown once (with a copy button), and a read-only detail view. Built on <dialog> with
// showModal(), so the page behind is inert, Escape cancels, and focus lands inside; when the
// dialog closes, focus goes back to the control that opened it.
import { h } from "./dom";

function open(dialog: HTMLDialogElement, initial: HTMLElement | null): Promise<string> {
  const opener = document.activeElement as HTMLElement | null;
  document.body.append(dialog);
  dialog.showModal();
  initial?.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(dialog.returnValue);
    });
  });
}

let counter = 0;

function frame(title: string, ...content: Node[]): HTMLDialogElement {
  const titleId = `dialog-title-${++counter}`;
  return h("dialog", { class: "modal", "aria-labelledby": titleId }, h("h2", { id: titleId }, title), ...content);
}

export interface ConfirmOptions {
  title: string;
  text: string;
  confirm: string; // the button's words, e.g. "Disable account"
  danger?: boolean;
}

// Resolves true only when the user presses the confirm button; Cancel and Escape are false.
export async function confirmAction(o: ConfirmOptions): Promise<boolean> {
  const cancel = h("button", { type: "submit", value: "cancel", class: "secondary" }, "Cancel");
  const ok = h("button", { type: "submit", value: "ok", class: o.danger ? "danger" : "primary" }, o.confirm);
  const dialog = frame(o.title, h("p", {}, o.text), h("form", { method: "dialog", class: "actions" }, cancel, ok));
  // Cancel first in focus: pressing Enter by habit must not delete anything.
  return (await open(dialog, cancel)) === "ok";
}

// Shows a secret that the server reveals only once (a one-time password, an API token).
export async function showSecret(title: string, intro: string, secret: string, label: string): Promise<void> {
  const value = h("code", { class: "secret one-time", id: `secret-${counter + 1}` }, secret);
  const status = h("p", { class: "hint", role: "status" });
  const copy = h("button", { type: "button", class: "secondary" }, `Copy ${label}`);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      status.textContent = `The ${label} is copied to the clipboard.`;
    } catch {
      const range = document.createRange();
      range.selectNodeContents(value);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      status.textContent = "Copying is not allowed here: the text is selected, press Ctrl+C.";
    }
  });
  const done = h("button", { type: "submit", value: "ok", class: "primary" }, "Done");
  const dialog = frame(
    title,
    h("p", {}, intro),
    h("p", { class: "secret-line" }, h("span", { class: "visually-hidden" }, `${label}: `), value),
    h("p", { class: "notice" }, "It will not be shown again. Close this only after you have passed it on or stored it."),
    h("div", { class: "actions" }, copy),
    status,
    h("form", { method: "dialog", class: "actions end" }, done),
  );
  await open(dialog, copy);
}

// A read-only view (e.g. one audit record) with a Close button.
export async function showDetails(title: string, body: Node): Promise<void> {
  const close = h("button", { type: "submit", value: "ok", class: "primary" }, "Close");
  await open(frame(title, body, h("form", { method: "dialog", class: "actions end" }, close)), close);
}
