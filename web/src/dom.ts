// A tiny element builder: h("button", {type: "submit"}, "Sign in"). Text is always set as text
// (never parsed as HTML), so names from the archive cannot inject markup.
type Attrs = Record<string, string | boolean | number | undefined | ((e: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

export function main(): HTMLElement {
  return document.getElementById("main")!;
}

// Replaces the main area with a screen and moves focus to its heading (or first field), so
// keyboard and screen reader users land on the new screen.
export function show(title: string, ...content: Node[]): void {
  const m = main();
  m.replaceChildren(...content);
  document.title = `${title} · Arca`;
  const target = m.querySelector<HTMLElement>("[autofocus]") ?? m.querySelector<HTMLElement>("h1");
  if (target) {
    if (target.tagName === "H1") target.tabIndex = -1;
    target.focus();
  }
}

export function announce(text: string): void {
  const live = document.getElementById("live");
  if (live) live.textContent = text;
}

// A labelled form field.
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string,
): HTMLElement {
  const id = input.id || `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  input.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hintEl);
}

// An error box that screen readers announce.
export function errorBox(): HTMLElement {
  return h("p", { class: "error", role: "alert", hidden: true });
}

export function setError(box: HTMLElement, message: string | null): void {
  box.textContent = message ?? "";
  box.hidden = !message;
}
