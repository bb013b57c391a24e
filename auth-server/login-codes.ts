// Email one-time codes: 6 digits, valid 5 minutes, voided after 5 wrong tries. Only a hash is stored.
import crypto from 'node:crypto';
import type { Db } from '../common/db.js';

export const CODE_TTL_SECONDS = 300;
export const MAX_ATTEMPTS = 5;

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'locked' | 'missing';

const hash = (email: string, code: string) => crypto.createHash('sha256').update(`${email}:${code}`).digest('hex');

export function createLoginCodes(db: Db) {
  const put = db.prepare(
    `INSERT INTO login_codes (email, code_hash, expires_at, attempts) VALUES (?, ?, ?, 0)
     ON CONFLICT (email) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0`,
  );
  const get = db.prepare('SELECT code_hash, expires_at, attempts FROM login_codes WHERE email = ?');
  const fail = db.prepare('UPDATE login_codes SET attempts = attempts + 1 WHERE email = ?');
  const remove = db.prepare('DELETE FROM login_codes WHERE email = ?');

  return {
    issue(email: string): string {
      const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
      put.run(email, hash(email, code), Date.now() + CODE_TTL_SECONDS * 1000);
      return code;
    },
    check(email: string, code: string): CodeCheck {
      const row = get.get(email) as { code_hash: string; expires_at: number; attempts: number } | undefined;
      if (!row) return 'missing';
      if (row.attempts >= MAX_ATTEMPTS) return 'locked';
      if (row.expires_at <= Date.now()) return 'expired';
      const expected = Buffer.from(row.code_hash, 'hex');
      const given = Buffer.from(hash(email, code.trim()), 'hex');
      if (!crypto.timingSafeEqual(expected, given)) {
        fail.run(email);
        return row.attempts + 1 >= MAX_ATTEMPTS ? 'locked' : 'wrong';
      }
      remove.run(email);
      return 'ok';
    },
  };
}

export type LoginCodes = ReturnType<typeof createLoginCodes>;
