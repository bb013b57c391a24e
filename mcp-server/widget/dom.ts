// A tiny hyperscript helper (no framework: the bundle stays a few kilobytes) and the QR SVG import.

type Child = Node | string | number | false | null | undefined | Child[];
type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    else if (key === 'class') el.className = String(value);
    else if (key === 'testid') el.dataset.testid = String(value);
    else if (key === 'value') (el as HTMLInputElement).value = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Parses the QR code SVG from a tool result into a node. It comes from our own server, but it is still
 * markup from the network: parse it as SVG (never HTML) and drop anything that could run or load.
 */
export function svgNode(markup: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    if (/^(script|foreignObject|image|use|a|animate|set)$/i.test(el.localName)) {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      if (/^on/i.test(attr.name) || /href$/i.test(attr.name) || /url\(/i.test(attr.value)) el.removeAttribute(attr.name);
    }
  }
  root.setAttribute('role', 'img');
  return document.importNode(root, true) as unknown as SVGSVGElement;
}
