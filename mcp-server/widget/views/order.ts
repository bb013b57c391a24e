// The buy/sell form: side, stock (a holding, or looked up with search_stocks), quantity, and the quote
// and total before anything is submitted. Typing updates the summary in place, keeping focus.
import type { Portfolio, Quote, Side } from '../contract.js';
import { h } from '../dom.js';
import { money, orderTotal } from '../format.js';
import type { OrderDraft } from '../model.js';

export interface OrderActions {
  setSide(side: Side): void;
  lookup(query: string): void;
  choose(quote: Quote): void;
  submit(): void;
  cancel(): void;
}

const MAX_QUANTITY = 1_000_000;

/** what the widget can tell before asking the server (which still decides, with its own quote and policy) */
function problem(order: OrderDraft, held: number, portfolio: Portfolio | undefined): string | undefined {
  const q = order.quote;
  if (!q) return undefined;
  if (!Number.isInteger(order.quantity) || order.quantity < 1) return 'Enter a whole number of shares.';
  if (order.quantity > MAX_QUANTITY) return 'That is more shares than one order can hold.';
  if (order.side === 'sell' && order.quantity > held) return held ? `You hold only ${held} ${q.symbol}.` : `You hold no ${q.symbol}.`;
  const cash = portfolio?.cash;
  if (order.side === 'buy' && cash && cash.currency === q.currency && orderTotal(q.price, order.quantity) > cash.amount) {
    return `That is more than your cash (${money(cash.amount, cash.currency)}).`;
  }
  return undefined;
}

export function orderView(order: OrderDraft, portfolio: Portfolio | undefined, submitting: boolean, act: OrderActions): HTMLElement {
  const held = portfolio?.holdings.find((x) => x.symbol === order.quote?.symbol)?.quantity ?? 0;
  const verb = order.side === 'buy' ? 'Buy' : 'Sell';

  const summary = h('div', { class: 'quote', testid: 'order-quote', 'aria-live': 'polite' });
  const hint = h('div', { class: 'hint', testid: 'order-hint' });
  // submitted from the button's click, not the form's submit event: a sandbox without allow-forms (the
  // Lab Host's) blocks form submission before any submit event fires; Enter still clicks this button
  const submit = h('button', {
    class: `primary ${order.side}`, type: 'submit', testid: 'submit-trade',
    onclick: (e) => { e.preventDefault(); if (!submit.disabled) act.submit(); },
  });
  const quantity = h('input', {
    id: 'quantity', type: 'number', inputmode: 'numeric', min: 1, max: MAX_QUANTITY, step: 1, value: order.quantity,
    testid: 'quantity-input', disabled: submitting,
    oninput: () => { order.quantity = Number(quantity.value); update(); },
  });

  function update() {
    const q = order.quote;
    const issue = problem(order, held, portfolio);
    summary.replaceChildren();
    if (q) {
      const total = orderTotal(q.price, order.quantity || 0);
      summary.append(
        h('span', { class: 'muted' }, `${order.quantity || 0} × ${money(q.price, q.currency)}`),
        h('strong', { testid: 'order-total' }, money(total, q.currency)));
      submit.textContent = submitting ? (order.side === 'buy' ? 'Buying…' : 'Selling…') : `${verb} ${order.quantity || 0} ${q.symbol} for ${money(total, q.currency)}`;
    } else {
      submit.textContent = verb;
    }
    hint.textContent = issue ?? (order.side === 'sell' ? `You hold ${held} ${q?.symbol ?? ''}.` : portfolio ? `Cash available: ${money(portfolio.cash.amount, portfolio.cash.currency)}` : '');
    hint.classList.toggle('warn', !!issue);
    submit.disabled = submitting || !q || !!issue;
  }

  const sideButton = (side: Side) => h('button', {
    type: 'button', class: `seg ${side}${order.side === side ? ' on' : ''}`, 'aria-pressed': String(order.side === side),
    testid: `side-${side}`, disabled: submitting, onclick: () => act.setSide(side),
  }, side === 'buy' ? 'Buy' : 'Sell');

  const form = h('form', {
    class: 'order', testid: 'order-form', novalidate: true,
    onsubmit: (e) => e.preventDefault(),
  },
    h('header', { class: 'head' },
      h('div', {}, h('div', { class: 'eyebrow' }, 'New order'), h('h2', {}, order.quote ? `${verb} ${order.quote.symbol}` : `${verb} a stock`)),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Order side' }, sideButton('buy'), sideButton('sell'))),
    order.quote ? stockLine(order.quote) : lookupBlock(order, act),
    h('div', { class: 'field' }, h('label', { for: 'quantity' }, 'Quantity'), quantity),
    summary,
    hint,
    h('div', { class: 'row end' },
      h('button', { type: 'button', class: 'ghost', testid: 'cancel-order', disabled: submitting, onclick: act.cancel }, 'Cancel'),
      submit),
  );
  update();
  return form;
}

function stockLine(q: { symbol: string; name: string; price: number; currency: string }): HTMLElement {
  return h('div', { class: 'stock', testid: 'order-stock' },
    h('div', {}, h('strong', {}, q.symbol), ' ', h('span', { class: 'muted' }, q.name)),
    h('div', { class: 'num' }, h('span', { class: 'muted' }, 'Price '), h('strong', { testid: 'order-price' }, money(q.price, q.currency))));
}

function lookupBlock(order: OrderDraft, act: OrderActions): HTMLElement {
  const input = h('input', {
    id: 'symbol', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'Symbol or name, e.g. INIT', value: order.symbol,
    testid: 'symbol-input', oninput: () => { order.symbol = input.value.trim().toUpperCase(); },
    onkeydown: (e) => { if ((e as KeyboardEvent).key === 'Enter') { e.preventDefault(); act.lookup(input.value.trim()); } },
  });
  const status = order.lookup === 'loading' ? h('div', { class: 'muted' }, 'Looking up…')
    : order.lookup === 'none' ? h('div', { class: 'hint warn', testid: 'lookup-none' }, `No stock matches "${order.symbol}".`)
    : order.lookup === 'failed' ? h('div', { class: 'hint warn', testid: 'lookup-failed' }, order.lookupMessage ?? 'The lookup failed.')
    : null;
  return h('div', { class: 'field' },
    h('label', { for: 'symbol' }, 'Stock'),
    h('div', { class: 'row' }, input,
      h('button', { type: 'button', class: 'secondary', testid: 'lookup-button', disabled: order.lookup === 'loading', onclick: () => act.lookup(input.value.trim()) }, 'Get quote')),
    status,
    order.matches?.length ? h('ul', { class: 'matches', testid: 'matches' }, order.matches.map((q) => h('li', {},
      h('button', { type: 'button', class: 'match', testid: `match-${q.symbol}`, onclick: () => act.choose(q) },
        h('strong', {}, q.symbol), h('span', { class: 'muted grow' }, q.name), h('span', { class: 'num' }, money(q.price, q.currency)))))) : null);
}
