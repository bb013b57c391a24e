// The composer's "language model": a handful of patterns that turn phrases like "show my portfolio",
// "buy 3 ACME" or "search tech stocks" into tool calls. Deliberately simple and predictable, so a
// workshop can see exactly which tool a sentence triggers. No DOM here: it is unit-tested in Node.

export type Command =
  | { kind: 'tool'; name: string; args: Record<string, unknown> }
  | { kind: 'help' }
  | { kind: 'connect'; url?: string }
  | { kind: 'disconnect' }
  | { kind: 'clarify'; message: string }
  | { kind: 'unknown'; text: string };

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twenty: 20, fifty: 50, hundred: 100,
};
const FILLER = /^(please|pls|can you|could you|would you|i want to|i'd like to|i would like to|let's|lets|go ahead and|now)\s+/;
const TRADE_NOISE = new Set(['share', 'shares', 'of', 'stock', 'stocks', 'in', 'x', 'units', 'unit', 'me', 'some', 'for', 'the', 'more', 'please', 'now', 'worth', 'a', 'an']);
const SEARCH_NOISE = new Set([
  'search', 'find', 'look', 'up', 'lookup', 'quote', 'quotes', 'show', 'list', 'get', 'me', 'for', 'the', 'all', 'any', 'stocks', 'stock',
  'shares', 'companies', 'company', 'sector', 'price', 'prices', 'of', 'in', 'some', 'available', 'what', 'are', 'there', 'which',
]);

function normalize(text: string): string {
  let t = text.trim().toLowerCase().replace(/[?!.,;]+$/g, '').replace(/\s+/g, ' ');
  for (let i = 0; i < 3 && FILLER.test(t); i++) t = t.replace(FILLER, '');
  return t;
}

function parseTrade(side: 'buy' | 'sell', words: string[]): Command {
  let quantity: number | undefined;
  let symbol: string | undefined;
  for (const word of words) {
    const n = /^x?(\d+)x?$/.exec(word);
    if (n && quantity === undefined) quantity = Number(n[1]);
    else if (NUMBER_WORDS[word] !== undefined && quantity === undefined && word !== 'a' && word !== 'an') quantity = NUMBER_WORDS[word];
    else if (!TRADE_NOISE.has(word) && /^[a-z][a-z0-9.]{0,11}$/.test(word) && symbol === undefined) symbol = word.toUpperCase();
  }
  if (!symbol) return { kind: 'clarify', message: `Which stock should I ${side}? For example: "${side} 3 ACME".` };
  if (quantity === undefined) {
    // "buy a share of ACME" means one
    if (words.includes('a') || words.includes('an') || words.includes('share')) quantity = 1;
    else return { kind: 'clarify', message: `How many ${symbol} shares should I ${side}? For example: "${side} 3 ${symbol}".` };
  }
  if (!Number.isInteger(quantity) || quantity < 1) return { kind: 'clarify', message: 'The number of shares must be a whole number of at least 1.' };
  return { kind: 'tool', name: `${side}_stock`, args: { symbol, quantity } };
}

export function parseCommand(input: string): Command {
  const raw = input.trim();
  // the escape hatch: call <tool> {json arguments}
  const call = /^call\s+([\w.-]+)\s*([\s\S]*)$/i.exec(raw);
  if (call) {
    if (!call[2].trim()) return { kind: 'tool', name: call[1], args: {} };
    try {
      const args = JSON.parse(call[2]);
      if (args && typeof args === 'object' && !Array.isArray(args)) return { kind: 'tool', name: call[1], args };
    } catch {
      // fall through
    }
    return { kind: 'clarify', message: 'After "call <tool>" give the arguments as a JSON object, for example: call search_stocks {"query": "tech"}' };
  }

  const text = normalize(raw);
  if (!text) return { kind: 'unknown', text: raw };
  if (/^(help|\?|commands|what can you do|what can i (do|say)|menu)$/.test(text)) return { kind: 'help' };
  if (/^(disconnect|sign out|log out|logout)$/.test(text)) return { kind: 'disconnect' };
  const connect = /^connect(?:\s+to)?(?:\s+(\S+))?$/i.exec(raw.replace(/\s+/g, ' '));
  if (connect) return { kind: 'connect', url: connect[1] };

  const words = text.split(' ');
  const trade = words.findIndex((w) => w === 'buy' || w === 'purchase' || w === 'sell');
  if (trade >= 0) return parseTrade(words[trade] === 'sell' ? 'sell' : 'buy', words.slice(trade + 1));

  if (/\b(portfolio|holdings|positions|my stocks|my shares|my account|balance|my cash|what do i own|what i own)\b/.test(text)) {
    return { kind: 'tool', name: 'get_portfolio', args: {} };
  }

  const approval = /\b(?:continue|check|status|approval|approve)\b(?:\s+(?:the|my|of|for|on|trade|approval|authori[sz]ation|status))*\s+([a-z0-9_-]{6,64})$/.exec(text);
  if (approval) return { kind: 'tool', name: 'continue_authorization', args: { trade_id: raw.split(/\s+/).pop()!.replace(/[?!.,;]+$/, '') } };
  if (/^(continue|check approval|check trade|approval status)$/.test(text)) {
    return { kind: 'clarify', message: 'Which trade? Give its id, for example: "continue trd_7f3c…" (the widget does this for you).' };
  }

  if (/^(search|find|look ?up|quote|quotes|list|show|get|what)\b/.test(text) || /\bstocks?\b/.test(text)) {
    const query = words.filter((w) => !SEARCH_NOISE.has(w)).join(' ');
    return { kind: 'tool', name: 'search_stocks', args: { query } };
  }
  return { kind: 'unknown', text: raw };
}

export const EXAMPLES = ['show my portfolio', 'search tech stocks', 'buy 3 ACME', 'sell 2 ACME', 'help'];
