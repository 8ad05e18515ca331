// The upload queue: every file the user added, what became of it, and how far the sending got.
// At most PARALLEL files are in flight; a network failure or an overloaded server is retried
// by itself after 1, 2 and 4 seconds, and after that waits for the "Retry failed" button.
// Refusals are final. The queue knows nothing about the page: it calls onChange for every change.
import type { Outcome } from "./upload_send";

export type State = "waiting" | "queued" | "sending" | "stored" | "duplicate" | "rejected" | "skipped" | "failed";

export interface Item {
  id: number;
  path: string;
  file: Blob;
  kind: "dicom" | "document" | "none";
  docType: string; // the document's media type
  study: string; // the study a document joins
  title: string;
  state: State;
  text: string;
  loaded: number;
  attempts: number;
}

export type Sender = (item: Item, onProgress: (loaded: number) => void) => Promise<Outcome>;

export const PARALLEL = 3;
const AUTOMATIC_RETRIES = 3;

const FINAL: State[] = ["stored", "duplicate", "rejected", "skipped"];

export class UploadQueue {
  readonly items: Item[] = [];
  private running = 0;
  private nextId = 1;
  private epoch = 0; // clear() starts a new one; runs of an older epoch report nothing

  constructor(
    private readonly send: Sender,
    private readonly onChange: (item: Item | null) => void,
    private readonly wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  // Adds a file in its first state: "queued" files are sent; others are already decided
  // (skipped, rejected) or wait for the user (documents waiting for a study).
  add(path: string, file: Blob, init: Partial<Item> & Pick<Item, "kind" | "state" | "text">): Item {
    const item: Item = { id: this.nextId++, path, file, docType: "", study: "", title: "", loaded: 0, attempts: 0, ...init };
    this.items.push(item);
    this.onChange(item);
    this.pump();
    return item;
  }

  enqueue(item: Item): void {
    item.state = "queued";
    item.text = "waiting to be sent";
    item.loaded = 0;
    item.attempts = 0;
    this.onChange(item);
    this.pump();
  }

  retryFailed(): number {
    const failed = this.items.filter((i) => i.state === "failed");
    failed.forEach((i) => this.enqueue(i));
    return failed.length;
  }

  // Forgets every file (signing out). Sends still running end silently, and retry nothing.
  clear(): void {
    this.epoch++;
    this.items.length = 0;
  }

  busy(): boolean {
    return this.items.some((i) => i.state === "queued" || i.state === "sending");
  }

  counts(): Record<State, number> {
    const c = { waiting: 0, queued: 0, sending: 0, stored: 0, duplicate: 0, rejected: 0, skipped: 0, failed: 0 };
    for (const i of this.items) c[i.state]++;
    return c;
  }

  // Bytes sent of the files that are or were being sent (waiting documents not counted), and
  // how many of those files are done (stored, duplicate, rejected or skipped; not failed).
  progress(): { done: number; total: number; filesDone: number; files: number } {
    let done = 0;
    let total = 0;
    let filesDone = 0;
    let files = 0;
    for (const i of this.items) {
      if (i.state === "waiting") continue;
      files++;
      const final = FINAL.includes(i.state);
      if (final) filesDone++;
      if (i.kind === "none") continue;
      total += i.file.size;
      // A failed file is not done: its bytes count again when it is retried.
      done += final ? i.file.size : i.state === "failed" ? 0 : i.loaded;
    }
    return { done, total, filesDone, files };
  }

  private pump(): void {
    while (this.running < PARALLEL) {
      const item = this.items.find((i) => i.state === "queued");
      if (!item) break;
      this.running++;
      item.state = "sending";
      item.text = "sending";
      this.onChange(item);
      const epoch = this.epoch;
      void this.run(item).finally(() => {
        this.running--;
        this.pump();
        if (epoch === this.epoch) this.onChange(null);
      });
    }
  }

  private async run(item: Item): Promise<void> {
    const epoch = this.epoch;
    for (;;) {
      item.attempts++;
      item.loaded = 0;
      const outcome = await this.send(item, (loaded) => {
        item.loaded = loaded;
        if (epoch === this.epoch) this.onChange(item);
      });
      if (epoch !== this.epoch) return;
      if (!outcome.retryable || item.attempts > AUTOMATIC_RETRIES) {
        item.state = outcome.state;
        item.text = outcome.state === "failed" ? `${outcome.text} — use “Retry failed”` : outcome.text;
        this.onChange(item);
        return;
      }
      item.text = `${outcome.text}; trying again (${item.attempts} of ${AUTOMATIC_RETRIES})`;
      this.onChange(item);
      await this.wait(1000 * 2 ** (item.attempts - 1));
      if (epoch !== this.epoch) return;
    }
  }
}
