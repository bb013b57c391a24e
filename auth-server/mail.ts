// The local test inbox: every mail the auth server "sends" lands in SQLite, readable at /mail.
import type { Db } from '../common/db.js';

export interface Mail {
  id: number;
  to: string;
  subject: string;
  body: string;
  code: string | null;
  created_at: number;
}

export function createMailbox(db: Db) {
  const insert = db.prepare('INSERT INTO mail ("to", subject, body, code, created_at) VALUES (?, ?, ?, ?, ?)');
  const latest = db.prepare('SELECT * FROM mail ORDER BY id DESC LIMIT ?');
  const latestTo = db.prepare('SELECT * FROM mail WHERE "to" = ? ORDER BY id DESC LIMIT ?');
  return {
    send(to: string, subject: string, body: string, code?: string): void {
      insert.run(to, subject, body, code ?? null, Date.now());
    },
    list(to?: string, limit = 50): Mail[] {
      return (to ? latestTo.all(to, limit) : latest.all(limit)) as Mail[];
    },
  };
}

export type Mailbox = ReturnType<typeof createMailbox>;
