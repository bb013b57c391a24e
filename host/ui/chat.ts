// The conversation column: user and assistant messages. An assistant message has slots a tool call
// fills in: the call chip, text, a sign-in card, a widget, the raw structured content.
import { h } from './dom.js';

let nextId = 1;

export interface AssistantMessage {
  id: string;
  el: HTMLElement;
  body: HTMLElement;
  /** a one-line summary of the tool call (name, arguments, outcome, link to its trace) */
  chip(name: string, args: Record<string, unknown>): { done(status: string, ms: number, traceId?: string): void };
  text(text: string, kind?: 'normal' | 'error' | 'muted'): HTMLElement;
  thinking(on: boolean): void;
}

export function createChat(onTraceClick: (traceId: string) => void) {
  const root = h('div', { class: 'messages', testid: 'messages', 'aria-live': 'polite' });

  const scroll = () => requestAnimationFrame(() => root.scrollTo({ top: root.scrollHeight, behavior: 'smooth' }));

  function user(text: string): HTMLElement {
    const el = h('div', { class: 'msg user', testid: 'message', 'data-role': 'user' }, h('div', { class: 'bubble' }, text));
    root.append(el);
    scroll();
    return el;
  }

  function assistant(): AssistantMessage {
    const id = `m${nextId++}`;
    const body = h('div', { class: 'msg-body' });
    const dots = h('div', { class: 'thinking', 'aria-label': 'working' }, h('span'), h('span'), h('span'));
    const el = h('div', { class: 'msg assistant', testid: 'message', 'data-role': 'assistant', 'data-message-id': id },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, 'LH'), body);
    root.append(el);
    scroll();
    return {
      id,
      el,
      body,
      chip(name, args) {
        const argText = Object.keys(args).length ? JSON.stringify(args) : '{}';
        const status = h('span', { class: 'chip-status' }, 'calling…');
        const chip = h('div', { class: 'tool-chip', testid: 'tool-call', 'data-tool': name },
          h('span', { class: 'chip-icon', 'aria-hidden': 'true' }, '⚙'), h('code', {}, `${name}(${argText})`), status);
        body.append(chip);
        return {
          done(outcome, ms, traceId) {
            status.textContent = `${outcome} · ${Math.round(ms)} ms`;
            chip.dataset.status = outcome;
            if (traceId) {
              chip.append(h('button', { class: 'link', testid: 'trace-link', title: `trace ${traceId}`, onclick: () => onTraceClick(traceId) }, 'flow ›'));
            }
          },
        };
      },
      text(text, kind = 'normal') {
        const p = h('div', { class: `msg-text ${kind}` }, text);
        body.append(p);
        scroll();
        return p;
      },
      thinking(on) {
        if (on) body.append(dots);
        else dots.remove();
        scroll();
      },
    };
  }

  return { root, user, assistant, scroll };
}

export type Chat = ReturnType<typeof createChat>;
