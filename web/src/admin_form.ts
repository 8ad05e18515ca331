// Pieces shared by the admin and audit screens: groups of checkboxes, times shown in local time
// with UTC on hover, server errors put into words, and a small status line.
import * as api from "./api";
import { h } from "./dom";

export interface CheckGroup {
  el: HTMLFieldSetElement;
  values(): string[];
  set(values: string[]): void;
}

// A fieldset of checkboxes with a visible legend (screen readers announce it with each box).
export function checkGroup(legend: string, name: string, options: { value: string; label: string }[], checked: string[] = []): CheckGroup {
  const boxes = options.map((o) => h("input", { type: "checkbox", name, value: o.value, id: `${name}-${o.value}`, checked: checked.includes(o.value) }));
  const el = h(
    "fieldset",
    { class: "checks" },
    h("legend", {}, legend),
    ...options.map((o, i) => h("label", { class: "check-item", for: boxes[i].id }, boxes[i], o.label)),
  );
  return {
    el,
    values: () => boxes.filter((b) => b.checked).map((b) => b.value),
    set: (values) => boxes.forEach((b) => (b.checked = values.includes(b.value))),
  };
}

export function checkbox(label: string, name: string, checked = false): { el: HTMLElement; input: HTMLInputElement } {
  const input = h("input", { type: "checkbox", name, id: `cb-${name}`, checked });
  return { el: h("label", { class: "check-item single", for: input.id }, input, label), input };
}

// A server error (or a network failure) in words, after what was being done.
export function failure(what: string, err: unknown): string {
  if (err instanceof api.ApiError) {
    if (err.status === 403) return `${what}: your role is not allowed to do this (${err.message}).`;
    return `${what}: ${err.message}`;
  }
  return `${what}: Arca cannot be reached. Check the network and try again.`;
}

export const isSessionLoss = (err: unknown) => err instanceof api.ApiError && err.status === 401;

const pad = (n: number) => String(n).padStart(2, "0");

export function localText(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

// A time in the browser's local time; the UTC time on hover and for assistive technology.
export function timeEl(ms: number): HTMLTimeElement {
  return h("time", { datetime: new Date(ms).toISOString(), title: utcText(ms) }, localText(ms));
}

export function dateText(ms: number): string {
  return ms > 0 ? localText(ms).slice(0, 10) : "never";
}

export const ROLE_LABELS: Record<string, string> = {
  admin: "Administrator",
  radiologist: "Radiologist",
  technologist: "Technologist",
  referring: "Referring physician",
  front_desk: "Front desk",
  auditor: "Auditor",
};

export const roleText = (roles: string[]) => roles.map((r) => ROLE_LABELS[r] ?? r).join(", ") || "no role";

// A polite status line for results ("User added."), announced by screen readers.
export function statusLine(): HTMLElement {
  return h("p", { class: "status", role: "status" });
}
