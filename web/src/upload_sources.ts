// Where uploaded files come from and what they are. Files arrive from the pickers, from a drop
// (files and whole folders, walked with webkitGetAsEntry) and from .zip archives, which are
// unpacked here in the browser as a stream (fflate), one entry at a time, so a CD-sized archive
// never has to sit whole in memory. Each file is then sniffed by its first bytes: DICOM Part-10
// (the DICM prefix), a DICOMDIR (a CD's directory index, never stored), or a PDF/JPEG/PNG
// document that can be attached to a study.
import { Unzip, UnzipInflate } from "fflate";

export interface Picked {
  path: string; // shown to the user: the folder path or "archive.zip › entry"
  file: Blob;
}

export type Kind =
  | { kind: "dicom" }
  | { kind: "dicomdir" }
  | { kind: "document"; type: "application/pdf" | "image/jpeg" | "image/png"; label: string }
  | { kind: "zip" }
  | { kind: "other" };

// Media Storage Directory Storage, the SOP class of a DICOMDIR (not followed by more digits).
const DICOMDIR_SOP_CLASS = /1\.2\.840\.10008\.1\.3\.10(?![0-9.])/;

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

export function baseName(path: string): string {
  return path.split(/[/\\›]/).pop()!.trim();
}

// What a file is, from its name and first bytes.
export async function classify(p: Picked): Promise<Kind> {
  const head = new Uint8Array(await p.file.slice(0, 1024).arrayBuffer());
  if (head.length >= 132 && startsWith(head, [0x44, 0x49, 0x43, 0x4d], 128)) {
    // The Media Storage SOP Class UID sits in the meta header, within the first bytes.
    const text = new TextDecoder("latin1").decode(head);
    if (baseName(p.path).toUpperCase() === "DICOMDIR" || DICOMDIR_SOP_CLASS.test(text))
      return { kind: "dicomdir" };
    return { kind: "dicom" };
  }
  if (baseName(p.path).toUpperCase() === "DICOMDIR") return { kind: "dicomdir" };
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { kind: "document", type: "application/pdf", label: "PDF document" };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: "document", type: "image/jpeg", label: "JPEG photo" };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: "document", type: "image/png", label: "PNG image" };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { kind: "zip" };
  return { kind: "other" };
}

// Files picked with <input type="file"> (webkitRelativePath for a folder pick).
export function fromInput(files: FileList | null): Picked[] {
  return Array.from(files ?? []).map((f) => ({ path: f.webkitRelativePath || f.name, file: f }));
}

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries answers in batches (Chrome: 100) until it answers an empty one.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(out);
        out.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\//, ""), file });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

// Files and folders dropped on the page. The entries must be taken synchronously, while the
// drop event's DataTransfer is still readable.
export async function fromDrop(data: DataTransfer): Promise<Picked[]> {
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== "file") continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plain.push(f);
    }
  }
  const out: Picked[] = plain.map((f) => ({ path: f.name, file: f }));
  for (const e of entries) await walk(e, out);
  return out;
}

// Unpacks a .zip as a stream, calling onFile for each file entry as it completes (directories
// and macOS resource forks skipped). Entries with a compression other than stored/deflate are
// reported through onError with their name.
export async function unzip(zip: Picked, onFile: (p: Picked) => void, onError: (path: string, reason: string) => void): Promise<void> {
  const unzipper = new Unzip();
  unzipper.register(UnzipInflate);
  unzipper.onfile = (entry) => {
    if (entry.name.endsWith("/") || entry.name.startsWith("__MACOSX/")) return;
    const path = `${zip.path} › ${entry.name}`;
    const chunks: Uint8Array[] = [];
    entry.ondata = (err, chunk, final) => {
      if (err) return onError(path, "it is compressed in a way that cannot be unpacked here");
      chunks.push(chunk);
      if (final) onFile({ path, file: new Blob(chunks as BlobPart[]) });
    };
    try {
      entry.start();
    } catch {
      onError(path, "it is compressed in a way that cannot be unpacked here");
    }
  };
  const reader = (zip.file.stream() as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    unzipper.push(value);
  }
  unzipper.push(new Uint8Array(0), true);
}
