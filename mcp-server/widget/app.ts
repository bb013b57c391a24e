// The widget's controller: turns tool results (the host's toolOutput, or answers to the widget's own
// callTool) into views, keeps the view in widgetState, and drives the approval wait.
import { bridge, callTool, resultText, saveWidgetState, type ToolResponse } from './bridge.js';
import { describeOrder, orderTotal, type OrderSummary } from './format.js';
import { isPortfolio, isTradeOutcome, type Holding, type Portfolio, type Quote, type Side, type TradeOutcome } from './contract.js';
import { isSaved, type Notice, type OrderDraft, type SavedState, type View } from './model.js';
import { createPoller } from './poller.js';
import { emptyView, errorView, loadingView } from './views/messages.js';
import { orderView } from './views/order.js';
import { pendingView, updateCountdown } from './views/pending.js';
import { portfolioView } from './views/portfolio.js';

export function createApp(root: HTMLElement) {
  let portfolio: Portfolio | undefined;
  let view: View = { name: 'loading', label: 'Connecting…' };
  /** the last trade this widget placed or watched, so a re-mounted widget does not wait for it again */
  let lastTradeId: string | undefined;
  let lastSaved = '';
  let lastOutput = '';
  let lastLook = '';

  const poller = createPoller({
    stillWaiting: (id) => view.name === 'pending' && view.tradeId === id,
    answer: (result) => applyTradeResult(result),
    unreachable(result, giveUp) {
      if (view.name !== 'pending') return;
      if (giveUp) show({ name: 'error', title: 'Lost contact', message: `${resultText(result)} Your trade may still be waiting for approval.` });
      else show({ ...view, stalled: true });
    },
  });
  setInterval(() => {
    if (view.name === 'pending') updateCountdown(root, view);
  }, 1000);

  // ---- rendering and state ----

  function save() {
    const saved = toSaved();
    if (!saved) return;
    const json = JSON.stringify(saved);
    if (json === lastSaved) return;
    lastSaved = json;
    saveWidgetState(saved);
  }

  function toSaved(): SavedState | undefined {
    const last = lastTradeId ? { last_trade_id: lastTradeId } : {};
    switch (view.name) {
      case 'order': return { view: 'order', order: { side: view.order.side, symbol: view.order.symbol, quantity: view.order.quantity }, ...last };
      case 'pending': return { view: 'pending', trade_id: view.tradeId, ...last };
      case 'portfolio': return { view: 'portfolio', ...(view.notice ? { notice: view.notice } : {}), ...last };
      case 'error': return { view: 'error', error: { title: view.title, message: view.message, detail: view.detail }, ...last };
      default: return undefined; // transient: keep whatever was saved before
    }
  }

  function applyLook() {
    const oa = bridge();
    const dark = oa?.theme ? oa.theme === 'dark' : window.matchMedia?.('(prefers-color-scheme: dark)').matches;
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    document.documentElement.dataset.displayMode = oa?.displayMode ?? 'inline';
    lastLook = look();
  }

  const look = () => `${bridge()?.theme}|${bridge()?.displayMode}|${bridge()?.locale}`;

  function render() {
    applyLook();
    root.replaceChildren(viewElement());
  }

  function viewElement(): HTMLElement {
    switch (view.name) {
      case 'loading': return loadingView(view.label);
      case 'empty': return emptyView(loadPortfolio);
      case 'portfolio':
        if (!portfolio) return emptyView(loadPortfolio);
        return portfolioView(portfolio, view.notice, {
          trade: (side, holding) => openOrder(side, holding?.symbol ?? '', 1, holding),
          refresh: () => loadPortfolio(),
          dismissNotice: () => show({ name: 'portfolio' }),
        });
      case 'order': {
        const current = view;
        return orderView(current.order, portfolio, !!current.submitting, {
          setSide: (side) => show({ ...current, order: { ...current.order, side } }),
          lookup: (query) => lookup(current, query),
          choose: (quote) => show({ ...current, order: chosen(current.order, quote) }),
          submit: () => submit(current),
          cancel: back,
        });
      }
      case 'pending': return pendingView(view);
      case 'error': return errorView(view.title, view.message, view.detail, back);
    }
  }

  function show(next: View) {
    view = next;
    save();
    render();
  }

  // ---- what the user does ----

  function openOrder(side: Side, symbol: string, quantity: number, holding?: Holding) {
    holding ??= portfolio?.holdings.find((x) => x.symbol === symbol);
    const order: OrderDraft = { side, symbol, quantity, quote: holding && { symbol: holding.symbol, name: holding.name, price: holding.price, currency: holding.currency } };
    const next: View = { name: 'order', order };
    show(next);
    if (!order.quote && symbol) void lookup(next, symbol);
  }

  const chosen = (order: OrderDraft, q: Quote): OrderDraft => ({ ...order, symbol: q.symbol, quote: q, matches: undefined, lookup: undefined });

  async function lookup(from: Extract<View, { name: 'order' }>, query: string) {
    if (!query) return;
    const symbol = query.toUpperCase();
    const loading: View = { ...from, order: { ...from.order, symbol, matches: undefined, lookup: 'loading' } };
    show(loading);
    const result = await callTool('search_stocks', { query, limit: 5 });
    if (view !== loading) return; // the user moved on meanwhile
    const order = loading.order;
    const quotes = (result.structuredContent as { quotes?: Quote[] } | undefined)?.quotes;
    if (result.isError || !Array.isArray(quotes)) {
      return show({ ...loading, order: { ...order, lookup: 'failed', lookupMessage: resultText(result, 'The lookup failed.') } });
    }
    const exact = quotes.find((q) => q.symbol === symbol) ?? (quotes.length === 1 ? quotes[0] : undefined);
    if (exact) return show({ ...loading, order: chosen(order, exact) });
    show({ ...loading, order: { ...order, lookup: quotes.length ? undefined : 'none', matches: quotes } });
  }

  async function submit(from: Extract<View, { name: 'order' }>) {
    const { side, quote, quantity } = from.order;
    if (!quote) return;
    const submitting: View = { ...from, submitting: true };
    show(submitting);
    const result = await callTool(side === 'buy' ? 'buy_stock' : 'sell_stock', { symbol: quote.symbol, quantity });
    if (view !== submitting) return;
    applyTradeResult(result, { side, quantity, symbol: quote.symbol, total: orderTotal(quote.price, quantity), currency: quote.currency });
  }

  function back() {
    if (portfolio) show({ name: 'portfolio' });
    else void loadPortfolio();
  }

  async function loadPortfolio(notice?: Notice) {
    const loading: View = { name: 'loading', label: 'Loading your portfolio…' };
    show(loading);
    const result = await callTool('get_portfolio', {});
    if (view !== loading) return;
    if (result.isError || !isPortfolio(result.structuredContent)) {
      return show({ name: 'error', title: 'Could not load your portfolio', message: resultText(result) });
    }
    portfolio = result.structuredContent;
    show({ name: 'portfolio', notice });
  }

  // ---- what the server says ----

  /** `order`: what was asked for, shown with a refusal (tool errors carry no order) */
  function applyTradeResult(result: ToolResponse, order?: OrderSummary) {
    order ??= view.name === 'pending' ? view.outcome?.order : undefined;
    const detail = order && describeOrder(order);
    if (result.isError) {
      const message = resultText(result);
      return show({ name: 'error', title: /^not allowed/i.test(message) ? 'Trade not allowed' : 'Trade not completed', message, detail });
    }
    if (!isTradeOutcome(result.structuredContent)) return show({ name: 'error', title: 'Unexpected answer', message: resultText(result), detail });
    applyOutcome(result.structuredContent);
  }

  function applyOutcome(o: TradeOutcome) {
    if (o.portfolio) portfolio = o.portfolio;
    lastTradeId = o.trade_id ?? o.trade?.id ?? lastTradeId;
    switch (o.status) {
      case 'executed':
        return show({ name: 'portfolio', notice: { message: o.message, symbol: o.trade?.symbol } });
      case 'pending_approval': {
        if (!o.trade_id) return show({ name: 'error', title: 'Unexpected answer', message: o.message });
        const secondsLeft = o.seconds_left ?? 0;
        const previous = view.name === 'pending' && view.tradeId === o.trade_id ? view.total : undefined;
        show({ name: 'pending', tradeId: o.trade_id, outcome: o, deadline: Date.now() + secondsLeft * 1000, total: Math.max(previous ?? 0, secondsLeft) });
        return poller.watch(o.trade_id, false);
      }
      case 'denied':
        return show({ name: 'error', title: 'Trade denied', message: o.message, detail: o.order && describeOrder(o.order) });
      case 'expired':
        return show({ name: 'error', title: 'Approval expired', message: o.message, detail: o.order && describeOrder(o.order) });
    }
  }

  /** picks up a trade by id: continue_authorization says whether it is still pending, done or refused */
  function resume(tradeId: string, outcome?: TradeOutcome) {
    lastTradeId = tradeId;
    show({ name: 'pending', tradeId, outcome, deadline: outcome?.seconds_left ? Date.now() + outcome.seconds_left * 1000 : undefined, total: outcome?.seconds_left });
    // a handed-over result may be old (a re-mounted widget): ask for the current state at once
    poller.watch(tradeId, true);
  }

  /** where a re-mounted widget picks up: what the user last saw, with today's data */
  function restore(saved: SavedState) {
    switch (saved.view) {
      case 'pending':
        return saved.trade_id ? resume(saved.trade_id) : back();
      case 'order':
        return saved.order ? openOrder(saved.order.side, saved.order.symbol, saved.order.quantity) : back();
      case 'error':
        return saved.error ? show({ name: 'error', ...saved.error }) : back();
      default:
        return portfolio ? show({ name: 'portfolio', notice: saved.notice }) : loadPortfolio(saved.notice);
    }
  }

  /** a tool result handed over by the host (the model called get_portfolio, buy_stock, ...) */
  function fromOutput(output: unknown) {
    if (isPortfolio(output)) {
      portfolio = output;
      return show({ name: 'portfolio' });
    }
    if (isTradeOutcome(output)) {
      if (output.status === 'pending_approval' && output.trade_id) {
        if (output.portfolio) portfolio = output.portfolio;
        return resume(output.trade_id, output);
      }
      return applyOutcome(output);
    }
    const input = bridge()?.toolInput;
    // the host renders the widget before the tool has answered; toolOutput follows in set_globals
    if (input && typeof input.symbol === 'string') return show({ name: 'loading', label: `Placing your order for ${input.quantity ?? ''} ${input.symbol}…` });
    show({ name: 'empty' });
  }

  return {
    /** first render, once window.openai exists */
    start() {
      const oa = bridge()!;
      lastOutput = JSON.stringify(oa.toolOutput ?? null);
      const saved = isSaved(oa.widgetState) ? oa.widgetState : undefined;
      if (isPortfolio(oa.toolOutput)) portfolio = oa.toolOutput;
      if (isTradeOutcome(oa.toolOutput) && oa.toolOutput.portfolio) portfolio = oa.toolOutput.portfolio;
      if (saved) {
        lastTradeId = saved.last_trade_id ?? saved.trade_id;
        lastSaved = JSON.stringify(saved);
        restore(saved);
      } else {
        fromOutput(oa.toolOutput);
      }
    },
    /** the host changed its globals: new tool output, theme, display mode */
    globalsChanged() {
      const oa = bridge();
      if (!oa) return;
      const output = JSON.stringify(oa.toolOutput ?? null);
      if (output !== lastOutput) {
        lastOutput = output;
        const o = oa.toolOutput;
        // the poll loop already follows this trade: a pushed copy of an older state must not rewind it
        if (isTradeOutcome(o) && lastTradeId && (o.trade_id ?? o.trade?.id) === lastTradeId) return;
        return fromOutput(o);
      }
      // re-render only for a new look, so an echo of our own setWidgetState never disturbs typing
      if (look() !== lastLook) render();
    },
    showConnecting() {
      render();
    },
  };
}
