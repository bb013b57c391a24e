// Small HTTP helpers shared by every service: bounded body reading that survives aborted clients.
import type { IncomingMessage, Server } from 'node:http';

export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Reads a request body up to `limit` bytes. Throws BodyError(413) when larger, BodyError(400) when the client aborts. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyError(413, `request body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new BodyError(413, `request body larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof BodyError) throw err;
    // ECONNRESET / aborted: the client went away mid-body; report it, never crash on it
    throw new BodyError(400, 'request body could not be read');
  }
  return Buffer.concat(chunks, size);
}

export async function readForm(req: IncomingMessage, limit = 16 * 1024): Promise<Record<string, string>> {
  const params = new URLSearchParams((await readBody(req, limit)).toString('utf8'));
  return Object.fromEntries(params);
}

/** starts listening; rejects (instead of crashing the process) when the port is taken */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    server.once('error', fail);
    server.listen(port, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
