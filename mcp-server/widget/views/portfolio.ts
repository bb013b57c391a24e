// Holdings and cash as a table, with buy/sell per holding and a way to trade any other stock.
import type { Holding, Portfolio, Side } from '../contract.js';
import { h } from '../dom.js';
import { money } from '../format.js';
import type { Notice } from '../model.js';

export interface PortfolioActions {
  trade(side: Side, holding?: Holding): void;
  refresh(): void;
  dismissNotice(): void;
}

export function portfolioView(p: Portfolio, notice: Notice | undefined, act: PortfolioActions): HTMLElement {
  const rows = p.holdings.map((holding) => h('tr', { testid: `holding-${holding.symbol}`, class: holding.symbol === notice?.symbol ? 'changed' : undefined },
    h('td', { class: 'symbol' }, h('strong', {}, holding.symbol), h('span', { class: 'subname' }, holding.name)),
    h('td', { class: 'name' }, holding.name),
    h('td', { class: 'num' }, h('span', { testid: 'quantity' }, holding.quantity), h('span', { class: 'subprice' }, `@ ${money(holding.price, holding.currency)}`)),
    h('td', { class: 'num price' }, money(holding.price, holding.currency)),
    h('td', { class: 'num', testid: 'value' }, money(holding.value, holding.currency)),
    h('td', { class: 'actions' },
      h('button', { class: 'small buy', testid: `buy-${holding.symbol}`, 'aria-label': `Buy ${holding.symbol}`, onclick: () => act.trade('buy', holding) }, 'Buy'),
      h('button', { class: 'small sell', testid: `sell-${holding.symbol}`, 'aria-label': `Sell ${holding.symbol}`, onclick: () => act.trade('sell', holding) }, 'Sell')),
  ));

  return h('section', { class: 'portfolio', testid: 'portfolio' },
    notice && h('div', { class: 'banner success', testid: 'trade-result', role: 'status' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, '✓'),
      h('span', { class: 'grow' }, notice.message),
      h('button', { class: 'link', testid: 'dismiss-result', onclick: act.dismissNotice, 'aria-label': 'Dismiss' }, '×')),
    h('header', { class: 'head' },
      h('div', {},
        h('div', { class: 'eyebrow' }, `${p.owner} · ${p.region}`),
        h('div', { class: 'total', testid: 'total' }, money(p.total_value, p.currency)),
        h('div', { class: 'muted' }, 'Total value')),
      h('button', { class: 'ghost', testid: 'refresh', onclick: act.refresh }, 'Refresh')),
    h('table', { class: 'holdings' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'Symbol'), h('th', { class: 'name' }, 'Name'), h('th', { class: 'num' }, 'Qty'),
        h('th', { class: 'num price' }, 'Price'), h('th', { class: 'num' }, 'Value'), h('th', { class: 'actions' }, h('span', { class: 'sr-only' }, 'Trade')))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 6, class: 'muted empty' }, 'No holdings yet.'))),
      h('tfoot', {}, h('tr', { testid: 'cash' },
        h('td', { class: 'symbol' }, h('strong', {}, 'Cash')),
        h('td', { class: 'name' }, p.cash.currency),
        h('td', {}),
        h('td', { class: 'price' }),
        h('td', { class: 'num', testid: 'cash-amount' }, money(p.cash.amount, p.cash.currency)),
        h('td', {})))),
    h('div', { class: 'row end' },
      h('button', { class: 'secondary', testid: 'trade-other', onclick: () => act.trade('buy') }, 'Trade another stock…')),
  );
}
