// Waiting for the user's approval: the rotating QR code, the binding message to compare on the phone,
// and how long is left. The controller re-renders it on every poll answer; the countdown also ticks
// between answers through updateCountdown.
import { h, svgNode } from '../dom.js';
import { clock, describeOrder, money } from '../format.js';
import type { View } from '../model.js';

type Pending = Extract<View, { name: 'pending' }>;

export function pendingView(view: Pending): HTMLElement {
  const o = view.outcome;
  const order = o?.order;
  const qr = o?.qr && svgNode(o.qr.svg);
  return h('section', { class: 'pending', testid: 'pending-approval', 'aria-busy': 'true' },
    h('header', { class: 'head' },
      h('div', {},
        h('div', { class: 'eyebrow' }, h('span', { class: 'pulse', 'aria-hidden': 'true' }), 'Waiting for your approval'),
        h('h2', {}, order ? describeOrder(order) : 'Trade awaiting approval'))),
    h('div', { class: 'approval' },
      h('figure', { class: 'qr', testid: 'qr-code', 'aria-label': 'QR code to open the approval page on your phone', 'data-url': o?.qr?.url },
        qr || h('div', { class: 'qr-missing muted' }, o ? 'QR code unavailable: open your account page to approve.' : 'Loading…')),
      h('div', { class: 'approval-text' },
        h('div', { class: 'label' }, 'Check that your phone shows'),
        h('div', { class: 'binding', testid: 'binding-message' }, o?.binding_message ?? '…'),
        h('p', { class: 'muted' }, 'Scan the code with your phone (or open your account page), compare the code above and approve or deny the trade.'),
        h('div', { class: 'timer' },
          h('span', { class: 'countdown', testid: 'countdown', 'aria-label': 'Time left to approve' }, view.deadline ? clock((view.deadline - Date.now()) / 1000) : '–:––'),
          h('span', { class: 'muted' }, ' left to approve'),
          view.stalled ? h('span', { class: 'hint warn' }, ' · reconnecting…') : null),
        h('div', { class: 'progress', 'aria-hidden': 'true' }, h('div', { class: 'bar', style: `width:${progress(view)}%` })),
        order && h('dl', { class: 'facts' },
          h('dt', {}, 'Price'), h('dd', {}, money(order.price, order.currency)),
          h('dt', {}, 'Total'), h('dd', {}, money(order.total, order.currency))))));
}

function progress(view: Pending): number {
  if (!view.deadline || !view.total) return 100;
  return Math.max(0, Math.min(100, ((view.deadline - Date.now()) / 1000 / view.total) * 100));
}

/** the once-a-second tick between poll answers */
export function updateCountdown(root: HTMLElement, view: Pending): void {
  const countdown = root.querySelector<HTMLElement>('[data-testid="countdown"]');
  if (countdown && view.deadline) countdown.textContent = clock((view.deadline - Date.now()) / 1000);
  const bar = root.querySelector<HTMLElement>('.progress .bar');
  if (bar) bar.style.width = `${progress(view)}%`;
}
