// The portfolio widget as tools refer to it (Apps SDK `_meta`): which template renders a tool's result,
// and the short status lines the host shows while the tool runs.
export const PORTFOLIO_WIDGET_URI = 'ui://widget/portfolio.html';

/** _meta for a tool whose structuredContent the portfolio widget renders */
export function widgetToolMeta(invoking: string, invoked: string): Record<string, unknown> {
  return {
    'openai/outputTemplate': PORTFOLIO_WIDGET_URI,
    'openai/toolInvocation/invoking': invoking,
    'openai/toolInvocation/invoked': invoked,
    // the widget itself calls these tools (refresh, trade, poll)
    'openai/widgetAccessible': true,
  };
}
