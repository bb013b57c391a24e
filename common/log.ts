// Structured logging: one JSON object per line (LOG_FORMAT=json, or when stdout is not a terminal),
// or a short human line on a terminal. Never pass tokens or secrets in fields.
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const threshold = order[level] ?? order.info;
  const json = process.env.LOG_FORMAT === 'json' || (process.env.LOG_FORMAT !== 'pretty' && !process.stdout.isTTY);
  const write = (lvl: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (order[lvl] < threshold) return;
    const time = new Date().toISOString();
    if (json) {
      process.stdout.write(`${JSON.stringify({ time, level: lvl, service, msg, ...fields })}\n`);
    } else {
      const extra = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      process.stdout.write(`${time.slice(11, 19)} ${lvl.padEnd(5)} [${service}] ${msg}${extra ? ` ${extra}` : ''}\n`);
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
