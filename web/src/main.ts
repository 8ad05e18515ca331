// The app shell: decides which screen to show from what the server says about the session.
// There is one page URL (/app/); screens are states, so nothing about a patient ever appears in
// the address bar.
import "./styles.css";
import * as api from "./api";
import { h } from "./dom";
import { startIdleWatch } from "./idle";
import { changePasswordScreen, enrolmentScreen, secondFactorScreen, signInScreen } from "./signin";
import { navigation } from "./nav";
import { resetUploads, type StudyChoice, uploadScreen } from "./upload";
import { onAttachDocument } from "./worklist";

let stopIdle: (() => void) | null = null;

// The top bar of a signed-in user, with the screens their role may see (nav.ts).
function topbar(me: api.Me | null): ReturnType<typeof navigation> | null {
  const bar = document.getElementById("topbar")!;
  if (!me) {
    bar.hidden = true;
    bar.replaceChildren();
    return null;
  }
  const screens = navigation(me);
  const out = h("button", { type: "button", class: "link" }, "Sign out");
  out.addEventListener("click", () => void signOut("You signed out."));
  bar.replaceChildren(
    h("span", { class: "brand small" }, h("span", { class: "logo", "aria-hidden": "true" }, "A"), "Arca"),
    screens.nav,
    h("span", { class: "who" }, h("span", { class: "visually-hidden" }, "Signed in as "), me.user.username, h("span", { class: "role" }, me.user.roles.join(", "))),
    out,
  );
  bar.hidden = false;
  return screens;
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
  const nav = topbar(me);
  stopIdle?.();
  stopIdle = startIdleWatch((notice) => void signOut(notice));
  // The worklist's "Attach document" opens the upload screen with that study chosen.
  const images = me.permissions.includes("study.write");
  onAttachDocument(
    images || me.permissions.includes("document.write")
      ? (study: StudyChoice) => nav?.select("Upload", () => uploadScreen(study, images))
      : null,
  );
  nav?.openFirst();
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
