// The states that are not the portfolio: loading, nothing to show yet, and a trade that did not happen.
import { h } from '../dom.js';

export function loadingView(label: string): HTMLElement {
  return h('section', { class: 'center', testid: 'loading', 'aria-busy': 'true' }, h('div', { class: 'spinner', 'aria-hidden': 'true' }), h('div', { class: 'muted' }, label));
}

export function emptyView(load: () => void): HTMLElement {
  return h('section', { class: 'center', testid: 'empty' },
    h('div', { class: 'muted' }, 'Waiting for your portfolio…'),
    h('button', { class: 'secondary', testid: 'load-portfolio', onclick: load }, 'Show my portfolio'));
}

export function errorView(title: string, message: string, detail: string | undefined, back: () => void): HTMLElement {
  return h('section', { class: 'problem', testid: 'trade-error', role: 'alert' },
    h('div', { class: 'banner danger' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, '!'),
      h('div', { class: 'grow' },
        h('strong', { testid: 'error-title' }, title),
        h('p', { testid: 'error-message' }, message),
        detail && h('p', { class: 'muted', testid: 'error-order' }, detail))),
    h('div', { class: 'row end' }, h('button', { class: 'primary', testid: 'back-button', onclick: back }, 'Back to portfolio')));
}
