// Polls continue_authorization about once a second while the widget waits for one trade's approval.
// One request at a time (the next starts a second after the previous one started, or when it ends if
// it took longer); it stops as soon as `stillWaiting` says the widget moved on.
import { callTool, type ToolResponse } from './bridge.js';

export const POLL_INTERVAL_MS = 1000;
/** consecutive unreachable-host answers before giving up */
const MAX_UNREACHABLE = 10;

export interface PollHandlers {
  stillWaiting(tradeId: string): boolean;
  /** every answer the server gave (pending, final, or a tool error) */
  answer(result: ToolResponse): void;
  /** the host did not deliver the call; `giveUp` after too many in a row */
  unreachable(result: ToolResponse, giveUp: boolean): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPoller(handlers: PollHandlers) {
  let current: string | undefined;

  async function loop(tradeId: string, immediate: boolean) {
    let unreachable = 0;
    if (!immediate) await sleep(POLL_INTERVAL_MS);
    while (current === tradeId && handlers.stillWaiting(tradeId)) {
      const started = Date.now();
      const result = await callTool('continue_authorization', { trade_id: tradeId });
      if (current !== tradeId || !handlers.stillWaiting(tradeId)) return;
      if (result.unreachable) {
        unreachable++;
        handlers.unreachable(result, unreachable >= MAX_UNREACHABLE);
        if (unreachable >= MAX_UNREACHABLE) return;
      } else {
        unreachable = 0;
        handlers.answer(result);
      }
      await sleep(Math.max(0, POLL_INTERVAL_MS - (Date.now() - started)));
    }
  }

  return {
    /** starts polling this trade unless it is already being polled; `immediate` when its state is unknown */
    watch(tradeId: string, immediate: boolean) {
      if (current === tradeId) return;
      current = tradeId;
      void loop(tradeId, immediate).finally(() => {
        if (current === tradeId) current = undefined;
      });
    },
  };
}
