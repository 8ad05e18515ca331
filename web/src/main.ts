// The app shell: decides which screen to show from what the server says about the session.
// There is one page URL (/app/); screens are states, so nothing about a patient ever appears in
// the address bar.
import "./styles.css";
import * as api from "./api";
import { h, show } from "./dom";
import { startIdleWatch } from "./idle";
import { changePasswordScreen, enrolmentScreen, secondFactorScreen, signInScreen } from "./signin";
import { resetUploads, type StudyChoice, uploadScreen } from "./upload";
import { onAttachDocument, worklistScreen } from "./worklist";

let stopIdle: (() => void) | null = null;

function topbar(me: api.Me | null): void {
  const bar = document.getElementById("topbar")!;
  if (!me) {
    bar.hidden = true;
    bar.replaceChildren();
    return;
  }
  const out = h("button", { type: "button", class: "link" }, "Sign out");
  out.addEventListener("click", () => void signOut("You signed out."));
  bar.replaceChildren(
    h("span", { class: "brand small" }, h("span", { class: "logo", "aria-hidden": "true" }, "A"), "Arca"),
    nav(me),
    h("span", { class: "who" }, h("span", { class: "visually-hidden" }, "Signed in as "), me.user.username, h("span", { class: "role" }, me.user.roles.join(", "))),
    out,
  );
  bar.hidden = false;
}

// The screens the user may switch between. They are states of /app/ (ADR 0008), so the links
// switch in place; the link of the screen shown carries aria-current.
function nav(me: api.Me): HTMLElement {
  const links: HTMLAnchorElement[] = [];
  const link = (label: string, screen: string, open: () => void) => {
    const a = h("a", { href: "/app/", "data-screen": screen }, label);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      open();
    });
    links.push(a);
  };
  if (me.permissions.includes("study.query")) link("Worklist", "worklist", () => openWorklist(me));
  if (me.permissions.includes("study.write")) link("Upload", "upload", () => openUpload());
  return h("nav", { "aria-label": "Main" }, ...links);
}

function openWorklist(me: api.Me): void {
  worklistScreen(me);
  markCurrent("worklist");
}

function openUpload(study: StudyChoice | null = null): void {
  uploadScreen(study);
  markCurrent("upload");
}

// Marks the current screen's link in the top bar.
function markCurrent(screen: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>("#topbar nav a")) {
    if (a.dataset.screen === screen) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function toSignIn(notice?: string): void {
  resetUploads();
  stopIdle?.();
  stopIdle = null;
  topbar(null);
  signInScreen(step, notice);
}

async function signOut(notice: string): Promise<void> {
  try {
    await api.logout();
  } catch {
    // already gone: the sign-in screen is the right place either way
  }
  toSignIn(notice);
}

// Shows the screen for the step the server says is owed.
function step(s: api.Step): void {
  switch (s) {
    case "second_factor":
      return secondFactorScreen(step);
    case "change_password":
      return changePasswordScreen(step);
    case "enroll_second_factor":
      void enrolmentScreen(step).catch(() => toSignIn("Enrolment could not start. Please sign in again."));
      return;
    case "done":
      void home();
  }
}

async function home(): Promise<void> {
  const me = await api.me();
  if (me.step !== "done") return step(me.step);
  topbar(me);
  stopIdle?.();
  stopIdle = startIdleWatch((notice) => void signOut(notice));
  onAttachDocument(me.permissions.includes("study.write") ? openUpload : null);
  if (me.permissions.includes("study.query")) openWorklist(me);
  else if (me.permissions.includes("study.write")) openUpload();
  else noWorklistScreen();
}

// Roles without study.query (the auditor) have no worklist; their screens come with the audit
// issue. Saying so beats a failed search.
function noWorklistScreen(): void {
  show(
    "Welcome",
    h(
      "section",
      { class: "card narrow", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "Welcome"),
      h("p", {}, "Your role does not include the worklist. The audit views will appear here when they are available."),
    ),
  );
}

api.onSessionLost(() => toSignIn("Your session has ended. Please sign in again."));

async function start(): Promise<void> {
  try {
    const me = await api.me(true);
    if (me.step === "done") await home();
    else step(me.step);
  } catch {
    toSignIn();
  }
}

void start();
