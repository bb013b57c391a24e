// Dynamic clients nobody used for N days are deleted (with their grants), so open registration
// cannot fill the database forever. A client's use is its last token or registration.
import type { Db } from '../../common/db.js';
import { epochSeconds } from '../../common/db.js';

export function purgeIdleClients(db: Db, maxIdleDays: number): number {
  const cutoff = epochSeconds() - maxIdleDays * 86400;
  const idle = db.prepare(
    `SELECT c.id FROM oidc c
      WHERE c.model = 'Client'
        AND COALESCE((SELECT MAX(u.last_used_at) FROM client_usage u WHERE u.client_id = c.id),
                     json_extract(c.payload, '$.client_id_issued_at'), 0) < ?`,
  ).all(cutoff) as { id: string }[];
  const remove = db.transaction((ids: string[]) => {
    for (const id of ids) {
      db.prepare(`DELETE FROM oidc WHERE model = 'Client' AND id = ?`).run(id);
      db.prepare(`DELETE FROM oidc WHERE model = 'Grant' AND json_extract(payload, '$.clientId') = ?`).run(id);
      db.prepare('DELETE FROM client_usage WHERE client_id = ?').run(id);
    }
  });
  remove(idle.map((r) => r.id));
  return idle.length;
}
