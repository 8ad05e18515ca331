// The API tokens screen: tokens let a program (a RIS, a script, a backup job) call Arca without
// a person signing in. Everyone sees and revokes their own; an administrator sees the tenant's
// and may make tokens for service accounts. A new token is shown once, with a copy button.
import type * as api from "./api";
import * as admin from "./admin_api";
import { checkGroup, dateText, failure, isSessionLoss, statusLine } from "./admin_form";
import { confirmAction, showSecret } from "./dialog";
import { errorBox, field, h, setError, show } from "./dom";

const PERMISSION_LABELS: Record<string, string> = {
  "study.query": "Find studies",
  "image.read": "Read images",
  "study.write": "Store studies",
  "document.write": "Store documents",
  "study.share": "Share studies",
  "study.export": "Export studies",
  "study.delete": "Delete studies",
  "patient.erase": "Erase patients",
  "audit.read": "Read the audit trail",
  "admin.users": "Manage users",
  "admin.peers": "Manage DICOM peers",
  "admin.settings": "Manage settings",
};

const EXPIRY = [
  { days: 7, label: "1 week" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
];

function tokenState(t: admin.Token, now = Date.now()): string {
  if (t.revoked_ms !== null) return `Revoked ${dateText(t.revoked_ms)}`;
  if (t.expires_ms <= now) return "Expired";
  return "Active";
}

export function tokensScreen(me: api.Me): void {
  const isAdmin = me.permissions.includes("admin.users");
  const box = errorBox();
  const status = statusLine();
  const body = h("tbody");
  let owners = new Map<number, string>();

  async function load(): Promise<void> {
    try {
      if (isAdmin) {
        const users = await admin.listUsers();
        owners = new Map(users.map((u) => [u.id, u.username]));
        const services = users.filter((u) => u.service_account && !u.disabled);
        owner.replaceChildren(h("option", { value: "" }, "Myself"), ...services.map((u) => h("option", { value: u.id }, `${u.username} (service account)`)));
      }
      const tokens = await admin.listTokens();
      tokens.sort((a, b) => Number(a.revoked_ms !== null) - Number(b.revoked_ms !== null) || b.created_ms - a.created_ms);
      body.replaceChildren(...(tokens.length ? tokens.map(row) : [h("tr", {}, h("td", { colspan: isAdmin ? 8 : 7, class: "muted" }, "No API tokens yet."))]));
    } catch (err) {
      if (!isSessionLoss(err)) setError(box, failure("The tokens could not be loaded", err));
    }
  }

  function row(t: admin.Token): HTMLTableRowElement {
    const state = tokenState(t);
    let action: Node | string = "";
    if (state === "Active") {
      const revoke = h("button", { type: "button", class: "danger small", "aria-label": `Revoke token ${t.name}` }, "Revoke");
      revoke.addEventListener("click", async () => {
        const sure = await confirmAction({ title: `Revoke the token "${t.name}"?`, text: "Any program using this token is refused from now on. This cannot be undone; a new token would have to be created and configured.", confirm: "Revoke token", danger: true });
        if (!sure) return;
        setError(box, null);
        try {
          await admin.revokeToken(t.id);
          status.textContent = `The token "${t.name}" was revoked.`;
          await load();
          document.getElementById("screen-title")?.focus();
        } catch (err) {
          if (!isSessionLoss(err)) setError(box, failure(`The token "${t.name}" could not be revoked`, err));
        }
      });
      action = revoke;
    }
    return h(
      "tr",
      { class: state === "Active" ? undefined : "disabled" },
      h("th", { scope: "row" }, t.name),
      isAdmin ? h("td", {}, owners.get(t.user) ?? `user ${t.user}`) : null,
      h("td", {}, t.permissions.map((p) => PERMISSION_LABELS[p] ?? p).join(", ")),
      h("td", {}, dateText(t.created_ms)),
      h("td", {}, dateText(t.expires_ms)),
      h("td", {}, t.last_used_ms ? dateText(t.last_used_ms) : "never"),
      h("td", {}, state),
      h("td", {}, action),
    );
  }

  const name = h("input", { name: "token-name", autocomplete: "off" });
  const perms = checkGroup(
    "What the token may do",
    "token-perms",
    me.permissions.map((p) => ({ value: p, label: PERMISSION_LABELS[p] ?? p })),
  );
  const expiry = h("select", { name: "expiry" }, ...EXPIRY.map((e) => h("option", { value: e.days, selected: e.days === 90 }, e.label)));
  const owner = h("select", { name: "owner" }, h("option", { value: "" }, "Myself"));
  const addErr = errorBox();
  const form = h(
    "form",
    { class: "card add-form", "aria-labelledby": "new-token-title" },
    h("h2", { id: "new-token-title" }, "Create a token"),
    addErr,
    field("Name", name, "What uses it, e.g. \"RIS bridge\" — so you know what breaks if you revoke it."),
    perms.el,
    field("Valid for", expiry),
    isAdmin ? field("For", owner, "A service account's token keeps working when people leave.") : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create token")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setError(addErr, null);
    if (!name.value.trim()) return setError(addErr, "Give the token a name.");
    if (perms.values().length === 0) return setError(addErr, "Choose at least one thing the token may do.");
    try {
      const made = await admin.createToken({ name: name.value.trim(), permissions: perms.values(), expires_in_days: Number(expiry.value), user: owner.value ? Number(owner.value) : undefined });
      form.reset();
      await load();
      status.textContent = `The token "${made.name}" was created.`;
      await showSecret(`Your new token "${made.name}"`, "Put this token into the program that will use it (as \"Authorization: Bearer …\").", made.token, "token");
    } catch (err) {
      if (!isSessionLoss(err)) setError(addErr, failure("The token could not be created", err));
    }
  });

  const cols = ["Name", ...(isAdmin ? ["Owner"] : []), "May", "Created", "Expires", "Last used", "State", "Actions"];
  show(
    "API tokens",
    h(
      "section",
      { class: "admin", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "API tokens"),
      h("p", { class: "intro" }, "Tokens let a program call Arca without a person signing in. Treat a token like a password."),
      box,
      status,
      h("div", { class: "table-wrap" }, h("table", { class: "grid" }, h("caption", { class: "visually-hidden" }, "API tokens"), h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", { scope: "col" }, c)))), body)),
      form,
    ),
  );
  void load();
}
