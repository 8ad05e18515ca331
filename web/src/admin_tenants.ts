// The tenants screen (system administrators): each tenant's security settings — whether staff
// must use a second factor, whether referring physicians see studies naming them, whether any
// DICOM device may store without being listed — and adding a tenant. Loosening a setting asks
// first.
import * as admin from "./admin_api";
import { failure, isSessionLoss, statusLine } from "./admin_form";
import { confirmAction } from "./dialog";
import { errorBox, field, h, setError, show } from "./dom";

type Flag = "mfa_required" | "referring_name_match" | "open_storage";

const FLAGS: { key: Flag; label: string; loosen: boolean; warn: string }[] = [
  { key: "mfa_required", label: "Second factor required", loosen: false, warn: "Staff will sign in with a password alone. Anyone who learns a password can then read patient data." },
  { key: "referring_name_match", label: "Referring physicians see studies naming them", loosen: true, warn: "Referring physicians will see every study whose Referring Physician field matches their name, without a grant." },
  { key: "open_storage", label: "Open storage (any device may send)", loosen: true, warn: "Any device on the network will be able to store images without being listed as a DICOM peer." },
];

export function tenantsScreen(): void {
  const box = errorBox();
  const status = statusLine();
  const body = h("tbody");

  async function load(): Promise<void> {
    try {
      const tenants = await admin.listTenants();
      body.replaceChildren(...tenants.map(row));
    } catch (err) {
      if (!isSessionLoss(err)) setError(box, failure("The tenants could not be loaded", err));
    }
  }

  function toggle(t: admin.Tenant, f: (typeof FLAGS)[number]): HTMLElement {
    const input = h("input", { type: "checkbox", id: `t-${t.id}-${f.key}`, checked: t[f.key], "aria-label": `${f.label} for ${t.display_name || t.id}` });
    input.addEventListener("change", async () => {
      const on = input.checked;
      // Turning MFA off, or the two other settings on, widens access: confirm.
      if (on === f.loosen) {
        const sure = await confirmAction({ title: `${on ? "Turn on" : "Turn off"} "${f.label}" for ${t.display_name || t.id}?`, text: f.warn, confirm: on ? "Turn on" : "Turn off", danger: true });
        if (!sure) {
          input.checked = !on;
          return;
        }
      }
      setError(box, null);
      try {
        await admin.patchTenant(t.id, { [f.key]: on });
        t[f.key] = on;
        status.textContent = `${f.label}: now ${on ? "on" : "off"} for ${t.display_name || t.id}.`;
      } catch (err) {
        input.checked = !on;
        if (!isSessionLoss(err)) setError(box, failure("The setting could not be changed", err));
      }
    });
    return h("td", { class: "center" }, input);
  }

  function row(t: admin.Tenant): HTMLTableRowElement {
    return h("tr", {}, h("th", { scope: "row" }, t.id), h("td", {}, t.display_name || "—"), ...FLAGS.map((f) => toggle(t, f)));
  }

  const id = h("input", { name: "tenant-id", autocomplete: "off", spellcheck: "false", pattern: "[a-z0-9-]+" });
  const display = h("input", { name: "display-name", autocomplete: "off" });
  const addErr = errorBox();
  const form = h(
    "form",
    { class: "card add-form", "aria-labelledby": "add-tenant-title" },
    h("h2", { id: "add-tenant-title" }, "Add a tenant"),
    addErr,
    h("div", { class: "row" }, field("Tenant ID", id, "Short, lower case, e.g. north-clinic. It cannot be changed later."), field("Display name", display)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add tenant")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setError(addErr, null);
    if (!id.value.trim()) return setError(addErr, "Enter a tenant ID.");
    try {
      await admin.addTenant(id.value.trim(), display.value.trim());
      status.textContent = `The tenant ${id.value.trim()} was added.`;
      form.reset();
      await load();
    } catch (err) {
      if (!isSessionLoss(err)) setError(addErr, failure("The tenant could not be added", err));
    }
  });

  show(
    "Tenants",
    h(
      "section",
      { class: "admin", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "Tenants and security settings"),
      h("p", { class: "intro" }, "Each tenant is a separate clinic or department: its staff, patients and devices are kept apart from the others'."),
      box,
      status,
      h(
        "div",
        { class: "table-wrap" },
        h("table", { class: "grid" }, h("caption", { class: "visually-hidden" }, "Tenants"), h("thead", {}, h("tr", {}, ...["Tenant", "Name", ...FLAGS.map((f) => f.label)].map((c) => h("th", { scope: "col" }, c)))), body),
      ),
      form,
    ),
  );
  void load();
}
