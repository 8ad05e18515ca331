// The sign-in flow (ADR 0007): password, then whatever the server says is still owed, in its
// order: the second factor, a forced password change, TOTP enrolment. `next` is called with the
// step the server answered, so the flow never guesses what comes next.
import * as api from "./api";
import { errorBox, field, h, setError, show } from "./dom";

type Next = (step: api.Step) => void;

function submitButton(label: string): HTMLButtonElement {
  return h("button", { type: "submit", class: "primary" }, label);
}

// Disables the form while a request runs; shows the server's message on failure.
function guard(form: HTMLFormElement, box: HTMLElement, run: () => Promise<void>): void {
  form.addEventListener("input", () => setError(box, null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fs = form.querySelector("fieldset");
    if (fs) fs.disabled = true;
    setError(box, null);
    try {
      await run();
    } catch (err) {
      setError(box, err instanceof api.ApiError ? err.message : "Arca cannot be reached. Check the network and try again.");
      if (fs) fs.disabled = false;
      form.querySelector<HTMLInputElement>("input:not([type=hidden])")?.focus();
      return;
    }
  });
}

function card(title: string, intro: string | null, ...content: (Node | null)[]): HTMLElement {
  return h(
    "section",
    { class: "card narrow", "aria-labelledby": "screen-title" },
    h("h1", { id: "screen-title" }, title),
    intro ? h("p", { class: "intro" }, intro) : null,
    ...content,
  );
}

export function signInScreen(next: Next, notice?: string): void {
  const user = h("input", { name: "username", autocomplete: "username", required: true, autofocus: true, autocapitalize: "none", spellcheck: "false" });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const box = errorBox();
  const form = h("form", { novalidate: false }, h("fieldset", {}, field("Username", user), field("Password", pass), box, submitButton("Sign in")));
  guard(form, box, async () => {
    const r = await api.login(user.value.trim(), pass.value);
    pass.value = "";
    next(r.step);
  });
  show(
    "Sign in",
    h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "A"), "Arca"),
    card("Sign in", null, notice ? h("p", { class: "notice", role: "status" }, notice) : null, form),
  );
}

export function secondFactorScreen(next: Next): void {
  const code = h("input", { name: "code", inputmode: "text", autocomplete: "one-time-code", required: true, autofocus: true, maxlength: 32, spellcheck: "false" });
  const box = errorBox();
  const form = h("form", {}, h("fieldset", {}, field("Code", code, "The 6-digit code from your authenticator app, or one of your recovery codes."), box, submitButton("Verify")));
  guard(form, box, async () => {
    const r = await api.secondFactor(code.value.replace(/\s+/g, ""));
    next(r.step);
  });
  show("Verify it is you", card("Verify it is you", "Open your authenticator app and enter the code shown for Arca.", form));
}

export function changePasswordScreen(next: Next): void {
  const current = h("input", { name: "current", type: "password", autocomplete: "current-password", required: true, autofocus: true });
  const fresh = h("input", { name: "new", type: "password", autocomplete: "new-password", required: true, minlength: 12 });
  const again = h("input", { name: "again", type: "password", autocomplete: "new-password", required: true, minlength: 12 });
  const box = errorBox();
  const form = h(
    "form",
    {},
    h(
      "fieldset",
      {},
      field("Current password", current, "The one-time password you were given."),
      field("New password", fresh, "At least 12 characters. A passphrase of several words is easiest to remember."),
      field("Repeat the new password", again),
      box,
      submitButton("Change password"),
    ),
  );
  guard(form, box, async () => {
    if (fresh.value !== again.value) throw new api.ApiError(400, "mismatch", "The two new passwords differ.");
    const r = await api.changePassword(current.value, fresh.value);
    next(r.step);
  });
  show("Choose a new password", card("Choose a new password", "Before you start, replace the one-time password with one only you know.", form));
}

export async function enrolmentScreen(next: Next): Promise<void> {
  const e = await api.beginEnrolment();
  const qr = h("div", { class: "qr", role: "img", "aria-label": "QR code to scan with your authenticator app" });
  // The SVG comes from our own server (a path of black squares, no script); parsed as SVG
  // and adopted, never assigned as HTML.
  const svg = new DOMParser().parseFromString(e.qr_svg, "image/svg+xml").documentElement;
  if (svg.nodeName === "svg") qr.append(document.importNode(svg, true));
  const secret = h("code", { class: "secret", id: "totp-secret" }, e.secret.replace(/(.{4})/g, "$1 ").trim());
  const code = h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, pattern: "[0-9 ]{6,7}", maxlength: 7, autofocus: true });
  const box = errorBox();
  const form = h("form", {}, h("fieldset", {}, field("Code from the app", code, "Enter the 6-digit code the app now shows for Arca."), box, submitButton("Confirm")));
  guard(form, box, async () => {
    const r = await api.confirmEnrolment(code.value.replace(/\s+/g, ""));
    recoveryCodesScreen(r.recovery_codes, () => next(r.step));
  });
  show(
    "Set up two-factor sign-in",
    card(
      "Set up two-factor sign-in",
      "Scan this QR code with an authenticator app (for example FreeOTP, Google Authenticator or Microsoft Authenticator).",
      qr,
      h("details", {}, h("summary", {}, "Can't scan? Enter the key by hand"), h("p", {}, "Key: ", secret), h("p", { class: "hint" }, "Type: time-based, 6 digits, every 30 seconds.")),
      form,
    ),
  );
}

export function recoveryCodesScreen(codes: string[], done: () => void): void {
  const list = h("ol", { class: "codes", "aria-label": "Recovery codes" }, ...codes.map((c) => h("li", {}, h("code", {}, c))));
  const saved = h("input", { type: "checkbox", id: "codes-saved", required: true, autofocus: true });
  const go = h("button", { type: "submit", class: "primary", disabled: true }, "Continue");
  saved.addEventListener("change", () => (go.disabled = !saved.checked));
  const copy = h("button", { type: "button", class: "secondary" }, "Copy codes");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Copy failed: select and copy the list";
    }
  });
  const form = h("form", {}, h("div", { class: "check" }, saved, h("label", { for: "codes-saved" }, "I have saved these recovery codes somewhere safe")), go);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (saved.checked) done();
  });
  show(
    "Save your recovery codes",
    card(
      "Save your recovery codes",
      "If you lose your phone, each of these codes signs you in once instead of the app. They are shown only now: print them or keep them in a password manager.",
      list,
      h("p", {}, copy),
      form,
    ),
  );
}
