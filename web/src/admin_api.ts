// The JSON API of the admin and audit screens: users, grants, API tokens, DICOM peers, tenants
// and the audit trail. Same plumbing as api.ts (session cookie, CSRF token, 401 = session lost).
// Audit searches and exports go out as POST with the filters in a JSON body, never in a query
// string: the per-patient report carries a patient id, and URLs end up in logs and history.
import { apiCall, apiJson } from "./api";

export interface AdminUser {
  id: number;
  username: string;
  tenant: string;
  roles: string[];
  system_admin: boolean;
  service_account: boolean;
  disabled: boolean;
  second_factor: boolean;
  must_change_password: boolean;
}

export interface Grant {
  study: string;
  granted_by: number;
  created_ms: number;
}

export interface Token {
  id: number;
  user: number;
  name: string;
  permissions: string[];
  created_ms: number;
  expires_ms: number;
  last_used_ms: number;
  revoked_ms: number | null;
}

export interface Peer {
  ae_title: string;
  host: string;
  port: number;
  tenant: string;
  allow: string[];
  tls: boolean;
  certificate_fingerprint: string;
}

export interface Tenant {
  id: string;
  display_name: string;
  mfa_required: boolean;
  referring_name_match: boolean;
  open_storage: boolean;
}

export interface AuditRecord {
  seq: number;
  time_ms: number;
  actor: string;
  tenant: string;
  action: string;
  outcome: string;
  error_code: string;
  detail: string;
  patients: string[];
  studies: string[];
  series: string[];
  instances: string[];
  client_address: string;
  user_agent: string;
  request_id: string;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  outcome?: string;
  study?: string;
  patient_id?: string;
  issuer?: string;
  after?: number;
  order?: "newest" | "oldest";
  before?: number; // paging when newest first
  limit?: number;
}

export const ROLES = ["admin", "radiologist", "technologist", "referring", "front_desk", "auditor"];
export const PEER_OPERATIONS = ["store", "find", "move", "get", "receive"];

const id = (n: number | string) => encodeURIComponent(String(n));

export const listUsers = () => apiJson<AdminUser[]>("GET", "/api/v1/users");
export const addUser = (body: { username: string; roles: string[]; linked_name?: string; service_account?: boolean }) =>
  apiJson<{ user: AdminUser; one_time_password?: string }>("POST", "/api/v1/users", body);
export const patchUser = (user: number, body: { disabled?: boolean; roles?: string[] }) =>
  apiJson<AdminUser>("PATCH", `/api/v1/users/${id(user)}`, body);
export const resetPassword = (user: number) =>
  apiJson<{ one_time_password: string }>("POST", `/api/v1/users/${id(user)}/password-reset`);
export const resetSecondFactor = (user: number) =>
  apiJson<unknown>("POST", `/api/v1/users/${id(user)}/second-factor-reset`);
export const listGrants = (user: number) => apiJson<Grant[]>("GET", `/api/v1/users/${id(user)}/grants`);
export const addGrant = (user: number, study: string) =>
  apiJson<unknown>("POST", `/api/v1/users/${id(user)}/grants`, { study });
export const removeGrant = (user: number, study: string) =>
  apiJson<unknown>("DELETE", `/api/v1/users/${id(user)}/grants/${id(study)}`);

export const listTokens = () => apiJson<Token[]>("GET", "/api/v1/tokens");
export const createToken = (body: { name: string; permissions: string[]; expires_in_days: number; user?: number }) =>
  apiJson<Token & { token: string }>("POST", "/api/v1/tokens", body);
export const revokeToken = (token: number) => apiJson<unknown>("DELETE", `/api/v1/tokens/${id(token)}`);

export const listPeers = () => apiJson<Peer[]>("GET", "/api/v1/peers");
export const addPeer = (peer: Peer) => apiJson<Peer>("POST", "/api/v1/peers", peer);
export const removePeer = (ae: string) => apiJson<unknown>("DELETE", `/api/v1/peers/${id(ae)}`);

export const listTenants = () => apiJson<Tenant[]>("GET", "/api/v1/tenants");
export const addTenant = (tenant: string, displayName: string) =>
  apiJson<unknown>("POST", "/api/v1/tenants", { id: tenant, display_name: displayName });
export const patchTenant = (tenant: string, body: Partial<Omit<Tenant, "id" | "display_name">>) =>
  apiJson<unknown>("PATCH", `/api/v1/tenants/${id(tenant)}`, body);

export const searchAudit = (filter: AuditFilter) =>
  apiJson<{ records: AuditRecord[]; next_after?: number | null; next_before?: number | null }>("POST", "/api/v1/audit/search", filter);

// The export of a search as a file: fetched with POST (filters in the body) and handed to the
// browser as a download. Returns the file's name and its size in bytes.
export async function exportAudit(filter: AuditFilter, format: "jsonl" | "dicom"): Promise<{ name: string; size: number }> {
  const body = { ...filter, format };
  delete body.after;
  delete body.before;
  delete body.order;
  delete body.limit;
  const r = await apiCall("POST", "/api/v1/audit/export", body, "*/*");
  const blob = await r.blob();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  const name = `arca-audit-${stamp}.${format === "jsonl" ? "jsonl" : "dicom.txt"}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name, size: blob.size };
}
