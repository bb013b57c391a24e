// oidc-provider storage adapter on SQLite: one table for every model, keyed by (model, id).
// Expired rows are invisible to find() and swept periodically.
import type { Db } from '../common/db.js';
import { epochSeconds } from '../common/db.js';

type Payload = Record<string, any>;

export function createAdapterClass(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO oidc (model, id, payload, grant_id, user_code, uid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at, consumed_at = NULL`,
  );
  const byId = db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND id = ?');
  const byUid = db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND uid = ?');
  const byUserCode = db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND user_code = ?');
  const consume = db.prepare('UPDATE oidc SET consumed_at = ? WHERE model = ? AND id = ?');
  const destroy = db.prepare('DELETE FROM oidc WHERE model = ? AND id = ?');
  const revokeByGrant = db.prepare('DELETE FROM oidc WHERE grant_id = ?');

  const read = (row: any): Payload | undefined => {
    if (!row) return undefined;
    if (row.expires_at && row.expires_at <= epochSeconds()) return undefined;
    const payload = JSON.parse(row.payload);
    return row.consumed_at ? { ...payload, consumed: row.consumed_at } : payload;
  };

  return class SqliteAdapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number) {
      const expiresAt = expiresIn ? epochSeconds() + expiresIn : null;
      upsert.run(this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt);
    }
    async find(id: string) {
      return read(byId.get(this.model, id));
    }
    async findByUid(uid: string) {
      return read(byUid.get(this.model, uid));
    }
    async findByUserCode(userCode: string) {
      return read(byUserCode.get(this.model, userCode));
    }
    async consume(id: string) {
      consume.run(epochSeconds(), this.model, id);
    }
    async destroy(id: string) {
      destroy.run(this.model, id);
    }
    async revokeByGrantId(grantId: string) {
      revokeByGrant.run(grantId);
    }
  };
}

/** Deletes expired rows; returns how many went. */
export function sweepExpired(db: Db): number {
  return db.prepare('DELETE FROM oidc WHERE expires_at IS NOT NULL AND expires_at <= ?').run(epochSeconds()).changes;
}
