// Idle sign-out. The server ends a session after 30 minutes without a request (ADR 0007); the
// shell keeps it alive while the user is working (a key or pointer press pings /api/v1/me at
// most once a minute) and, after IDLE_WARN_MS without any, warns with a dialog that offers to
// stay signed in; at IDLE_END_MS it signs out by itself, before the server would.
import * as api from "./api";
import { h } from "./dom";

const MINUTE = 60_000;
const IDLE_WARN_MS = 25 * MINUTE;
const IDLE_END_MS = 29 * MINUTE;
const PING_EVERY_MS = MINUTE;

function warning(leftMs: number): string {
  const left = Math.max(1, Math.ceil(leftMs / MINUTE));
  return `For patients' privacy, Arca will sign you out in about ${left} minute${left === 1 ? "" : "s"} unless you continue.`;
}

export function startIdleWatch(signOut: (reason: string) => void): () => void {
  let lastActivity = Date.now();
  let dialog: HTMLDialogElement | null = null;

  const onActivity = () => {
    lastActivity = Date.now();
    if (!dialog && Date.now() - api.lastServerContact() > PING_EVERY_MS) void api.me().catch(() => {});
  };
  const events = ["keydown", "pointerdown", "wheel"] as const;
  events.forEach((e) => window.addEventListener(e, onActivity, { passive: true, capture: true }));

  const closeDialog = () => {
    dialog?.close();
    dialog?.remove();
    dialog = null;
  };

  const timer = window.setInterval(() => {
    const idle = Date.now() - lastActivity;
    if (idle >= IDLE_END_MS) {
      stop();
      signOut("You were signed out after 30 minutes without activity.");
    } else if (dialog) {
      const text = dialog.querySelector("#idle-text");
      if (text) text.textContent = warning(IDLE_END_MS - idle);
    } else if (idle >= IDLE_WARN_MS) {
      const stay = h("button", { type: "button", class: "primary", autofocus: true }, "Stay signed in");
      const leave = h("button", { type: "button", class: "secondary" }, "Sign out");
      dialog = h(
        "dialog",
        { class: "idle", "aria-labelledby": "idle-title", "aria-describedby": "idle-text" },
        h("h2", { id: "idle-title" }, "Are you still there?"),
        h("p", { id: "idle-text" }, warning(IDLE_END_MS - idle)),
        h("div", { class: "actions" }, stay, leave),
      );
      stay.addEventListener("click", () => {
        lastActivity = Date.now();
        closeDialog();
        void api.me().catch(() => {});
      });
      leave.addEventListener("click", () => {
        closeDialog();
        stop();
        signOut("You signed out.");
      });
      dialog.addEventListener("cancel", (e) => e.preventDefault());
      document.body.append(dialog);
      dialog.showModal();
    }
  }, 5_000);

  function stop(): void {
    window.clearInterval(timer);
    events.forEach((e) => window.removeEventListener(e, onActivity, { capture: true }));
    closeDialog();
  }
  return stop;
}
