// JSON in and out. Checks on the way in: body at most 16 KiB (413), readable (a client that aborts
// mid-body is a 400, never a crash), valid JSON, and a JSON object (400 otherwise).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, readBody } from '../common/http.js';
import { ApiError, invalidRequest } from './errors.js';

export const MAX_BODY_BYTES = 16 * 1024;

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyError) {
      throw new ApiError(err.status, 'invalid_request', err.message);
    }
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('request body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest('request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(payload);
}
