// A tiny element builder: h('button', { class: 'x', onclick }, 'Label'). Text is always set as text,
// never parsed as HTML, so tool output and claims cannot inject markup into the host page.
type Child = Node | string | number | false | null | undefined | Child[];
type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'testid') el.setAttribute('data-testid', String(value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]) {
  for (const child of children.flat(Infinity as 1) as Child[]) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el: Element) {
  while (el.firstChild) el.firstChild.remove();
}
