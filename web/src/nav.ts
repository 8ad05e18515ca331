// The screens of the top bar and who sees each: a screen is listed only for the permissions it
// needs (the server refuses the calls of anyone else anyway, with 403). Screens are states of
// the one page /app/ (ADR 0008), so the links only switch the main area.
import type * as api from "./api";
import { tenantsScreen } from "./admin_tenants";
import { peersScreen } from "./admin_peers";
import { tokensScreen } from "./admin_tokens";
import { usersScreen } from "./admin_users";
import { auditScreen } from "./audit";
import { uploadScreen } from "./upload";
import { accessReportScreen } from "./audit_report";
import { h } from "./dom";
import { worklistScreen } from "./worklist";

interface Screen {
  label: string;
  allowed(me: api.Me): boolean;
  open(me: api.Me): void;
}

const may = (me: api.Me, p: string) => me.permissions.includes(p);
const systemAdmin = (me: api.Me) => (me.user as api.User & { system_admin?: boolean }).system_admin === true;

const SCREENS: Screen[] = [
  { label: "Worklist", allowed: (me) => may(me, "study.query"), open: worklistScreen },
  {
    label: "Upload",
    allowed: (me) => may(me, "study.write") || may(me, "document.write"),
    open: (me) => uploadScreen(null, may(me, "study.write")),
  },
  { label: "Audit trail", allowed: (me) => may(me, "audit.read"), open: auditScreen },
  { label: "Access report", allowed: (me) => may(me, "audit.read"), open: accessReportScreen },
  { label: "Users", allowed: (me) => may(me, "admin.users"), open: usersScreen },
  { label: "DICOM peers", allowed: (me) => may(me, "admin.peers"), open: peersScreen },
  { label: "Tenants", allowed: (me) => may(me, "admin.users") && systemAdmin(me), open: tenantsScreen },
  { label: "API tokens", allowed: () => true, open: tokensScreen },
];

// The nav of the top bar; the first screen this user may see is opened by openFirst(); select()
// marks a screen's link as current and shows it through `open` (e.g. with arguments).
export function navigation(me: api.Me): { nav: HTMLElement; openFirst(): void; select(label: string, open: () => void): void } {
  const screens = SCREENS.filter((s) => s.allowed(me));
  const links = screens.map((s) => h("a", { href: "/app/" }, s.label));
  const mark = (i: number) =>
    links.forEach((l, j) => (j === i ? l.setAttribute("aria-current", "page") : l.removeAttribute("aria-current")));
  const go = (i: number) => {
    mark(i);
    screens[i].open(me);
  };
  links.forEach((l, i) =>
    l.addEventListener("click", (e) => {
      e.preventDefault();
      go(i);
    }),
  );
  const select = (label: string, open: () => void) => {
    mark(screens.findIndex((s) => s.label === label));
    open();
  };
  return { nav: h("nav", { "aria-label": "Main" }, ...links), openFirst: () => go(0), select };
}
