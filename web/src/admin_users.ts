// The Users screen (admin.users): every account of the tenant with its roles and state; adding
// an account (its one-time password shown once); and, for one account at a time, changing roles,
// disabling or enabling, resetting the password or the second factor, and the studies granted to
// a referring physician. Everything that locks someone out asks first.
import type * as api from "./api";
import * as admin from "./admin_api";
import { checkbox, checkGroup, failure, isSessionLoss, ROLE_LABELS, roleText, statusLine } from "./admin_form";
import { grantsSection } from "./admin_grants";
import { confirmAction, showSecret } from "./dialog";
import { announce, errorBox, field, h, setError, show } from "./dom";

const roleOptions = admin.ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));

function stateText(u: admin.AdminUser): string {
  if (u.disabled) return "Disabled";
  const parts = ["Active"];
  if (u.must_change_password) parts.push("must choose a new password");
  parts.push(u.second_factor ? "two-factor set up" : "no two-factor yet");
  if (u.service_account) parts.push("service account");
  return parts.join(", ");
}

export function usersScreen(me: api.Me): void {
  const box = errorBox();
  const status = statusLine();
  const body = h("tbody");
  const manage = h("section", { class: "card manage", hidden: true, "aria-labelledby": "manage-title" });
  let users: admin.AdminUser[] = [];

  async function load(focusUser?: number): Promise<void> {
    try {
      users = await admin.listUsers();
      body.replaceChildren(...users.map(row));
      if (focusUser !== undefined) {
        const u = users.find((x) => x.id === focusUser);
        if (u) openManage(u, true);
      }
    } catch (err) {
      if (!isSessionLoss(err)) setError(box, failure("The list of users could not be loaded", err));
    }
  }

  function row(u: admin.AdminUser): HTMLTableRowElement {
    const btn = h("button", { type: "button", class: "secondary small", "aria-label": `Manage ${u.username}` }, "Manage");
    btn.addEventListener("click", () => openManage(u, true));
    return h(
      "tr",
      { class: u.disabled ? "disabled" : undefined },
      h("th", { scope: "row" }, u.username),
      h("td", {}, roleText(u.roles)),
      h("td", {}, stateText(u)),
      h("td", {}, btn),
    );
  }

  // A result in the status line of the panel (rebuilt by load(), hence looked up afresh).
  function say(text: string): void {
    const line = manage.querySelector<HTMLElement>(".manage-status");
    if (line) line.textContent = text;
    announce(text);
  }

  // The actions on one account, under the table.
  function openManage(u: admin.AdminUser, focus: boolean): void {
    const err = errorBox();
    const done = statusLine();
    done.classList.add("manage-status");
    const roles = checkGroup("Roles", `roles-${u.id}`, roleOptions, u.roles);
    const saveRoles = h("button", { type: "submit", class: "primary" }, "Save roles");
    const rolesForm = h("form", { class: "roles-form" }, roles.el, h("div", { class: "actions" }, saveRoles));
    rolesForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      await act(`The roles of ${u.username} could not be changed`, `Roles of ${u.username} saved.`, () => admin.patchUser(u.id, { roles: roles.values() }));
    });
    const self = String(u.id) === String(me.user.id);
    const toggle = h("button", { type: "button", class: u.disabled ? "secondary" : "danger", disabled: self && !u.disabled }, u.disabled ? "Enable account" : "Disable account");
    toggle.addEventListener("click", async () => {
      if (!u.disabled) {
        const sure = await confirmAction({ title: `Disable ${u.username}?`, text: `${u.username} will be signed out and cannot sign in until the account is enabled again. Their API tokens stop working too.`, confirm: "Disable account", danger: true });
        if (!sure) return;
      }
      await act(`${u.username} could not be ${u.disabled ? "enabled" : "disabled"}`, `${u.username} is now ${u.disabled ? "enabled" : "disabled"}.`, () => admin.patchUser(u.id, { disabled: !u.disabled }));
    });
    const password = h("button", { type: "button", class: "secondary" }, "Reset password");
    password.addEventListener("click", async () => {
      const sure = await confirmAction({ title: `Reset the password of ${u.username}?`, text: "Their current password stops working at once. You will get a one-time password to pass on; they must choose a new password when they next sign in.", confirm: "Reset password", danger: true });
      if (!sure) return;
      try {
        const r = await admin.resetPassword(u.id);
        await showSecret(`One-time password for ${u.username}`, `Give this one-time password to ${u.username} in person or by phone.`, r.one_time_password, "one-time password");
        await load(u.id);
        say(`The password of ${u.username} was reset.`);
      } catch (e) {
        if (!isSessionLoss(e)) setError(err, failure(`The password of ${u.username} could not be reset`, e));
      }
    });
    const factor = h("button", { type: "button", class: "secondary" }, "Reset second factor");
    factor.addEventListener("click", async () => {
      const sure = await confirmAction({ title: `Reset the second factor of ${u.username}?`, text: `Use this when ${u.username} lost their phone. Their authenticator app and recovery codes stop working; they set up a new one when they next sign in.`, confirm: "Reset second factor", danger: true });
      if (!sure) return;
      await act(`The second factor of ${u.username} could not be reset`, `The second factor of ${u.username} was reset.`, () => admin.resetSecondFactor(u.id));
    });

    async function act(what: string, success: string, fn: () => Promise<unknown>): Promise<void> {
      setError(err, null);
      try {
        await fn();
        await load(u.id);
        say(success);
      } catch (e) {
        if (!isSessionLoss(e)) setError(err, failure(what, e));
      }
    }

    manage.replaceChildren(
      h("h2", { id: "manage-title", tabindex: "-1" }, `Manage ${u.username}`),
      h("p", { class: "muted" }, `${roleText(u.roles)} · ${stateText(u)}`),
      err,
      done,
      rolesForm,
      h("div", { class: "actions spaced" }, password, factor, toggle),
      ...(self ? [h("p", { class: "hint" }, "You cannot disable your own account.")] : []),
      ...(u.roles.includes("referring") ? [grantsSection(u)] : []),
    );
    manage.hidden = false;
    if (focus) manage.querySelector<HTMLElement>("#manage-title")!.focus();
  }

  // Adding an account.
  const username = h("input", { name: "username", autocomplete: "off", required: true });
  const newRoles = checkGroup("Roles", "new-roles", roleOptions);
  const linked = h("input", { name: "linked_name", autocomplete: "off" });
  const service = checkbox("Service account (for a program, not a person: no password sign-in)", "service_account");
  const addErr = errorBox();
  const addForm = h(
    "form",
    { class: "card add-form", "aria-labelledby": "add-user-title" },
    h("h2", { id: "add-user-title" }, "Add a user"),
    addErr,
    field("Username", username),
    newRoles.el,
    field("Name as referring physician", linked, "Only for referring physicians: their name as it appears in the studies' Referring Physician field."),
    service.el,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add user")),
  );
  addForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    setError(addErr, null);
    if (!username.value.trim()) return setError(addErr, "Enter a username.");
    if (newRoles.values().length === 0) return setError(addErr, "Choose at least one role.");
    try {
      const r = await admin.addUser({ username: username.value.trim(), roles: newRoles.values(), linked_name: linked.value.trim() || undefined, service_account: service.input.checked || undefined });
      addForm.reset();
      await load();
      status.textContent = `${r.user.username} was added.`;
      if (r.one_time_password)
        await showSecret(`One-time password for ${r.user.username}`, `Give this one-time password to ${r.user.username} in person or by phone. They choose their own password when they first sign in.`, r.one_time_password, "one-time password");
    } catch (err) {
      if (!isSessionLoss(err)) setError(addErr, failure("The user could not be added", err));
    }
  });

  show(
    "Users",
    h(
      "section",
      { class: "admin", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "Users"),
      box,
      status,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "grid" },
          h("caption", { class: "visually-hidden" }, "Users of this archive"),
          h("thead", {}, h("tr", {}, ...["User", "Roles", "State", "Actions"].map((c) => h("th", { scope: "col" }, c)))),
          body,
        ),
      ),
      manage,
      addForm,
    ),
  );
  void load();
}
