// The studies a referring physician may see beyond those naming them (per-study grants), by
// Study Instance UID: list, add, remove (after a confirmation).
import * as admin from "./admin_api";
import { dateText, failure, isSessionLoss, statusLine } from "./admin_form";
import { confirmAction } from "./dialog";
import { errorBox, field, h, setError } from "./dom";

export function grantsSection(u: admin.AdminUser): HTMLElement {
  const err = errorBox();
  const status = statusLine();
  const list = h("ul", { class: "grants" });
  const uid = h("input", { name: "study", autocomplete: "off", inputmode: "decimal", pattern: "[0-9.]+", spellcheck: "false" });

  async function load(): Promise<void> {
    try {
      const grants = await admin.listGrants(u.id);
      list.replaceChildren(...(grants.length ? grants.map(item) : [h("li", { class: "muted" }, "No studies granted.")]));
    } catch (e) {
      if (!isSessionLoss(e)) setError(err, failure("The granted studies could not be loaded", e));
    }
  }

  function item(g: admin.Grant): HTMLLIElement {
    const remove = h("button", { type: "button", class: "link danger-text", "aria-label": `Remove the grant of study ${g.study}` }, "Remove");
    remove.addEventListener("click", async () => {
      const sure = await confirmAction({ title: "Remove this study grant?", text: `${u.username} will no longer see study ${g.study} (unless it names them as referring physician).`, confirm: "Remove grant", danger: true });
      if (!sure) return;
      setError(err, null);
      try {
        await admin.removeGrant(u.id, g.study);
        status.textContent = `The grant of study ${g.study} was removed.`;
        await load();
        uid.focus();
      } catch (e) {
        if (!isSessionLoss(e)) setError(err, failure("The grant could not be removed", e));
      }
    });
    return h("li", {}, h("code", {}, g.study), h("span", { class: "muted" }, ` granted ${dateText(g.created_ms)} `), remove);
  }

  const form = h("form", { class: "inline-form" }, field("Study Instance UID", uid, "Digits and dots, e.g. 1.2.840.113619.2.55.3.2831164356.1"), h("button", { type: "submit", class: "primary" }, "Grant study"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setError(err, null);
    const study = uid.value.trim();
    if (!/^[0-9]+(\.[0-9]+)*$/.test(study)) return setError(err, "A Study Instance UID is digits separated by dots.");
    try {
      await admin.addGrant(u.id, study);
      uid.value = "";
      status.textContent = `Study ${study} was granted to ${u.username}.`;
      await load();
    } catch (e2) {
      if (!isSessionLoss(e2)) setError(err, failure("The study could not be granted", e2));
    }
  });
  void load();
  return h("section", { class: "grants-section", "aria-labelledby": `grants-${u.id}` }, h("h3", { id: `grants-${u.id}` }, `Studies granted to ${u.username}`), err, status, list, form);
}
