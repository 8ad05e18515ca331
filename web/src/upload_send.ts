// Sending one file: a DICOM instance with STOW-RS (POST /dicom-web/studies, one
// multipart/related part) or a clinical document to POST /api/v1/studies/{uid}/documents.
// XMLHttpRequest rather than fetch, because only it reports upload progress. The answer is
// turned into words a technologist understands; network failures and server overload are
// marked retryable, refusals are not (sending the same bytes again would be refused again).
import { csrfToken, reportSessionLost } from "./api";

export interface Outcome {
  state: "stored" | "duplicate" | "rejected" | "failed";
  text: string; // e.g. "stored", "rejected: not a valid DICOM file (truncated)"
  retryable: boolean;
}

type Json = Record<string, { vr: string; Value?: unknown[] }>;

// FailureReason codes (PS3.18 Annex I, PS3.7 Annex C) in plain words.
const FAILURE_WORDS: Record<number, string> = {
  0xc000: "not a valid DICOM file",
  0x0111: "a different image with the same identifier (SOP Instance UID) is already stored",
  0xa700: "too large, or the archive is out of space",
  0x0122: "this kind of DICOM object is not supported",
  0x0124: "your account may not store images",
  0xc409: "the image belongs to another study",
  0x0110: "the server could not process it",
};

function failureText(item: Json): string {
  const code = Number(item["00081197"]?.Value?.[0] ?? 0);
  const words = FAILURE_WORDS[code] ?? `refused by the server (code ${code.toString(16).toUpperCase().padStart(4, "0")})`;
  const detail = item["00991002"]?.Value?.[0];
  return detail ? `rejected: ${words} (${String(detail)})` : `rejected: ${words}`;
}

interface Answer {
  status: number; // 0: no answer (network); -1: aborted by abortAll
  text: string;
}

const active = new Set<XMLHttpRequest>();

// Stops every upload in flight (signing out: nothing may go on in the next user's session).
export function abortAll(): void {
  for (const xhr of active) xhr.abort();
  active.clear();
}

function post(url: string, body: Blob, headers: Record<string, string>, onProgress: (loaded: number) => void): Promise<Answer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    const token = csrfToken();
    if (token) xhr.setRequestHeader("X-CSRF-Token", token);
    const done = (a: Answer) => {
      active.delete(xhr);
      resolve(a);
    };
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => done({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => done({ status: 0, text: "" });
    xhr.ontimeout = () => done({ status: 0, text: "" });
    xhr.onabort = () => done({ status: -1, text: "" });
    active.add(xhr);
    xhr.send(body);
  });
}

// Answers every STOW and document route can give besides its own body.
function transportOutcome(a: Answer): Outcome | null {
  if (a.status === -1) return { state: "failed", text: "failed: stopped", retryable: false };
  if (a.status === 0) return { state: "failed", text: "failed: the network connection was interrupted", retryable: true };
  if (a.status === 401) {
    reportSessionLost(); // back to sign-in, which also clears the upload list
    return { state: "failed", text: "failed: your session has ended", retryable: false };
  }
  if (a.status === 403) return { state: "rejected", text: "rejected: your account may not upload", retryable: false };
  if (a.status === 413) return { state: "rejected", text: "rejected: the file is larger than the archive accepts", retryable: false };
  if (a.status === 429 || a.status >= 500) return { state: "failed", text: `failed: the server is busy or unavailable (${a.status})`, retryable: true };
  return null;
}

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "arca-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sendDicom(file: Blob, onProgress: (loaded: number) => void): Promise<Outcome> {
  const boundary = randomBoundary();
  const head = `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`;
  const body = new Blob([head, file, `\r\n--${boundary}--\r\n`]);
  const a = await post("/dicom-web/studies", body, { "Content-Type": `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: "application/dicom+json" }, (n) =>
    onProgress(Math.max(0, Math.min(file.size, n - head.length))),
  );
  const early = transportOutcome(a);
  if (early) return early;
  let json: Json;
  try {
    json = JSON.parse(a.text) as Json;
  } catch {
    return { state: "failed", text: `failed: unexpected answer from the server (${a.status})`, retryable: true };
  }
  const stored = json["00081199"]?.Value?.[0] as Json | undefined;
  if (stored) {
    if (stored["00991001"]?.Value?.[0] === "DUPLICATE") return { state: "duplicate", text: "duplicate: this image is already in the archive", retryable: false };
    return { state: "stored", text: "stored", retryable: false };
  }
  const failed = json["00081198"]?.Value?.[0] as Json | undefined;
  if (failed) return { state: "rejected", text: failureText(failed), retryable: false };
  return { state: "rejected", text: `rejected: the server refused it (${a.status})`, retryable: false };
}

export async function sendDocument(study: string, file: Blob, type: string, title: string, onProgress: (loaded: number) => void): Promise<Outcome> {
  const headers: Record<string, string> = { "Content-Type": type, Accept: "application/json" };
  if (title) headers["X-Document-Title"] = encodeURIComponent(title);
  const a = await post(`/api/v1/studies/${encodeURIComponent(study)}/documents`, file, headers, onProgress);
  const early = transportOutcome(a);
  if (early) return early;
  let json: { status?: string; message?: string } = {};
  try {
    json = JSON.parse(a.text);
  } catch {
    // keep the status below
  }
  if (a.status === 201) return json.status === "duplicate" ? { state: "duplicate", text: "duplicate: already attached", retryable: false } : { state: "stored", text: "attached to the study", retryable: false };
  if (a.status === 404) return { state: "rejected", text: "rejected: the study was not found", retryable: false };
  if (a.status === 415) return { state: "rejected", text: "rejected: only PDF, JPEG and PNG files can be attached", retryable: false };
  return { state: "rejected", text: `rejected: ${json.message ?? `the server answered ${a.status}`}`, retryable: false };
}
