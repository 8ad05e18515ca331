// The DICOM peers screen (admin.peers): the modalities, workstations and PACS allowed to talk to
// Arca over DIMSE, each with what it may do. Changes apply to the next association.
import type * as api from "./api";
import * as admin from "./admin_api";
import { checkbox, checkGroup, failure, isSessionLoss, statusLine } from "./admin_form";
import { confirmAction } from "./dialog";
import { errorBox, field, h, setError, show } from "./dom";

const OPERATION_LABELS: Record<string, string> = {
  store: "Send images to Arca (C-STORE)",
  find: "Search Arca (C-FIND)",
  move: "Ask Arca to send images elsewhere (C-MOVE)",
  get: "Fetch images from Arca (C-GET)",
  receive: "Receives images from Arca (a C-MOVE destination)",
};
const SHORT: Record<string, string> = { store: "store", find: "find", move: "move", get: "get", receive: "receive" };

export function peersScreen(me: api.Me): void {
  const box = errorBox();
  const status = statusLine();
  const body = h("tbody");

  async function load(): Promise<void> {
    try {
      const peers = await admin.listPeers();
      body.replaceChildren(...(peers.length ? peers.map(row) : [h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No DICOM peers yet."))]));
    } catch (err) {
      if (!isSessionLoss(err)) setError(box, failure("The DICOM peers could not be loaded", err));
    }
  }

  function row(p: admin.Peer): HTMLTableRowElement {
    const remove = h("button", { type: "button", class: "danger small", "aria-label": `Remove peer ${p.ae_title}` }, "Remove");
    remove.addEventListener("click", async () => {
      const sure = await confirmAction({ title: `Remove the peer ${p.ae_title}?`, text: `${p.ae_title} (${p.host}) will be refused from its next connection on. Images it already sent stay in the archive.`, confirm: "Remove peer", danger: true });
      if (!sure) return;
      setError(box, null);
      try {
        await admin.removePeer(p.ae_title);
        status.textContent = `The peer ${p.ae_title} was removed.`;
        await load();
        document.getElementById("screen-title")?.focus();
      } catch (err) {
        if (!isSessionLoss(err)) setError(box, failure(`The peer ${p.ae_title} could not be removed`, err));
      }
    });
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, p.ae_title),
      h("td", {}, p.host),
      h("td", {}, String(p.port)),
      h("td", {}, p.tenant),
      h("td", {}, p.allow.map((o) => SHORT[o] ?? o).join(", ")),
      h("td", {}, p.tls ? "TLS" : "plain"),
      h("td", { class: "fingerprint" }, p.certificate_fingerprint || "—"),
      h("td", {}, remove),
    );
  }

  const ae = h("input", { name: "ae_title", autocomplete: "off", maxlength: 16, spellcheck: "false" });
  const host = h("input", { name: "host", autocomplete: "off", spellcheck: "false" });
  const port = h("input", { name: "port", type: "number", min: 1, max: 65535, value: 104 });
  const tenant = h("input", { name: "tenant", autocomplete: "off", value: me.user.tenant });
  const ops = checkGroup("What it may do", "peer-ops", admin.PEER_OPERATIONS.map((o) => ({ value: o, label: OPERATION_LABELS[o] })));
  const tls = checkbox("Uses DICOM TLS", "peer-tls");
  const fingerprint = h("input", { name: "fingerprint", autocomplete: "off", spellcheck: "false" });
  const addErr = errorBox();
  const form = h(
    "form",
    { class: "card add-form", "aria-labelledby": "add-peer-title" },
    h("h2", { id: "add-peer-title" }, "Add a DICOM peer"),
    addErr,
    h("div", { class: "row" }, field("AE title", ae, "Up to 16 characters, as set on the device."), field("Host", host, "Its IP address or host name."), field("Port", port, "Where it listens (for images Arca sends it).")),
    field("Tenant", tenant),
    ops.el,
    tls.el,
    field("Certificate fingerprint (SHA-256)", fingerprint, "Optional, with TLS: only a device presenting this certificate is accepted."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add peer")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setError(addErr, null);
    if (!ae.value.trim() || !host.value.trim()) return setError(addErr, "Enter the AE title and the host.");
    if (ops.values().length === 0) return setError(addErr, "Choose at least one thing the peer may do.");
    const peer: admin.Peer = { ae_title: ae.value.trim(), host: host.value.trim(), port: Number(port.value), tenant: tenant.value.trim() || me.user.tenant, allow: ops.values(), tls: tls.input.checked, certificate_fingerprint: fingerprint.value.trim() };
    try {
      await admin.addPeer(peer);
      form.reset();
      tenant.value = me.user.tenant;
      status.textContent = `The peer ${peer.ae_title} was added.`;
      await load();
    } catch (err) {
      if (!isSessionLoss(err)) setError(addErr, failure(`The peer ${peer.ae_title} could not be added`, err));
    }
  });

  show(
    "DICOM peers",
    h(
      "section",
      { class: "admin", "aria-labelledby": "screen-title" },
      h("h1", { id: "screen-title" }, "DICOM peers"),
      h("p", { class: "intro" }, "Modalities, workstations and other archives allowed to connect to Arca over DICOM. Anything not listed here is refused."),
      box,
      status,
      h("div", { class: "table-wrap" }, h("table", { class: "grid" }, h("caption", { class: "visually-hidden" }, "DICOM peers"), h("thead", {}, h("tr", {}, ...["AE title", "Host", "Port", "Tenant", "May", "Transport", "Certificate", "Actions"].map((c) => h("th", { scope: "col" }, c)))), body)),
      form,
    ),
  );
  void load();
}
