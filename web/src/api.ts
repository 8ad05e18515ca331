// Arca's JSON API and QIDO-RS, as the browser sees them: same origin, the HttpOnly session
// cookie travels by itself, and unsafe methods carry the CSRF token the sign-in steps return.
// A 401 from any call except sign-in itself means the session is gone: onSessionLost runs and
// the app goes back to the sign-in screen.

export type Step = "second_factor" | "change_password" | "enroll_second_factor" | "done";

export interface User {
  id: string;
  username: string;
  tenant: string;
  roles: string[];
}

export interface Me {
  user: User;
  step: Step;
  permissions: string[];
  csrf_token?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf = "";
let sessionLost: () => void = () => {};
let lastCall = Date.now();

export function onSessionLost(fn: () => void): void {
  sessionLost = fn;
}

// For requests made outside this module (uploads use XMLHttpRequest for progress).
export function csrfToken(): string {
  return csrf;
}

export function reportSessionLost(): void {
  csrf = "";
  sessionLost();
}

export function lastServerContact(): number {
  return lastCall;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  accept = "application/json",
  expect401 = false,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  lastCall = Date.now();
  if (!r.ok) {
    let code = "error";
    let message = `The server answered ${r.status}.`;
    try {
      const j = await r.json();
      code = j.error ?? code;
      message = j.message ?? message;
    } catch {
      // not JSON: keep the generic message
    }
    if (r.status === 401 && !expect401) {
      csrf = "";
      sessionLost();
    }
    throw new ApiError(r.status, code, message);
  }
  return r;
}

async function json<T>(method: string, path: string, body?: unknown, expect401 = false): Promise<T> {
  const r = await call(method, path, body, "application/json", expect401);
  const j = r.status === 204 ? {} : await r.json();
  if (j && typeof j.csrf_token === "string") csrf = j.csrf_token;
  return j as T;
}

export interface StepAnswer {
  step: Step;
  csrf_token?: string;
}

// Sign-in and its steps. A wrong password or code is a 401 that must not count as a lost session.
export const login = (username: string, password: string) =>
  json<StepAnswer>("POST", "/api/v1/auth/login", { username, password }, true);
export const secondFactor = (code: string) =>
  json<StepAnswer>("POST", "/api/v1/auth/second-factor", { code }, true);
export const changePassword = (current: string, next: string) =>
  json<StepAnswer>("POST", "/api/v1/me/password", { current, new: next }, true);
export const beginEnrolment = () =>
  json<{ otpauth_uri: string; secret: string; qr_svg: string }>("POST", "/api/v1/me/second-factor");
export const confirmEnrolment = (code: string) =>
  json<{ recovery_codes: string[]; step: Step }>(
    "POST",
    "/api/v1/me/second-factor/confirm",
    { code },
    true,
  );
export const me = (quiet = false) => json<Me>("GET", "/api/v1/me", undefined, quiet);
export async function logout(): Promise<void> {
  try {
    await json("POST", "/api/v1/auth/logout", undefined, true);
  } finally {
    csrf = "";
  }
}

// QIDO-RS study search; answers the DICOM JSON model.
export type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

async function qido(path: string): Promise<DicomJson[]> {
  const r = await call("GET", path, undefined, "application/dicom+json");
  if (r.status === 204) return [];
  const text = await r.text();
  return text ? (JSON.parse(text) as DicomJson[]) : [];
}

export const searchStudies = (params: URLSearchParams) => qido(`/dicom-web/studies?${params}`);

// The same with the total of all matches (Arca's includetotal extension: X-Total-Count).
export async function searchStudiesCounted(params: URLSearchParams): Promise<{ rows: DicomJson[]; total: number | null }> {
  const r = await call("GET", `/dicom-web/studies?${params}`, undefined, "application/dicom+json");
  const header = r.headers.get("X-Total-Count");
  const text = r.status === 204 ? "" : await r.text();
  return { rows: text ? (JSON.parse(text) as DicomJson[]) : [], total: header === null ? null : Number(header) };
}

// The series of one study, for the worklist's preview (series number, modality, description,
// number of images).
export const studySeries = (studyUid: string) =>
  qido(`/dicom-web/studies/${encodeURIComponent(studyUid)}/series?includefield=0008103E,00200011,00201209,00080060,00080021`);

// The plumbing above, for the admin and audit screens' calls (admin_api.ts).
export { call as apiCall, json as apiJson };
// One study by its UID (to show whose study a document is about to join).
export const findStudy = (studyUid: string) =>
  qido(`/dicom-web/studies?StudyInstanceUID=${encodeURIComponent(studyUid)}&includefield=00081030`);
// Deletes a study (study.delete): its index rows and blobs; 404 when it is already gone.
export const deleteStudy = (studyUid: string) =>
  json<{ study: string; instances: number; series: number }>("DELETE", `/api/v1/studies/${encodeURIComponent(studyUid)}`);
