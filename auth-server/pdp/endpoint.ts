// POST /access/v1/evaluation — the policy decision point, for the mcp-server client only.
import { BodyError, readBody } from '../../common/http.js';
import type { Logger } from '../../common/log.js';
import type { Db } from '../../common/db.js';
import type { Router } from '../pages.js';
import { requireServiceClient, type ServiceClientCheck } from '../service-client.js';
import { evaluate, type EvaluationRequest } from './evaluate.js';
import type { AccessPolicy } from './policy.js';

export function registerPdp(router: Router, policy: () => AccessPolicy, isServiceClient: ServiceClientCheck, db: Db, log: Logger) {
  const audit = db.prepare(`INSERT INTO audit (time, event, client_id, account_id, outcome, detail) VALUES (?, 'pdp.evaluation', 'mcp-server', ?, ?, ?)`);

  router.post('/access/v1/evaluation', async (ctx) => {
    if (!requireServiceClient(ctx, isServiceClient)) return;
    let request: EvaluationRequest;
    try {
      request = JSON.parse((await readBody(ctx.req, 16 * 1024)).toString('utf8'));
      if (!request || typeof request !== 'object') throw new Error('not an object');
    } catch (err) {
      ctx.status = err instanceof BodyError ? err.status : 400;
      ctx.body = { error: 'invalid_request', error_description: err instanceof BodyError ? err.message : 'body must be a JSON evaluation request' };
      return;
    }
    const response = evaluate(policy(), request);
    const tool = request.resource?.id ?? request.action?.name;
    audit.run(Date.now(), request.subject?.id ?? null, response.decision ? 'permit' : 'deny',
      JSON.stringify({ tool, reason: response.context.reason_admin.en, obligations: response.context.obligations }));
    log.info('pdp decision', { tool, sub: request.subject?.id, decision: response.decision, obligations: response.context.obligations?.map((o) => o.id), reason: response.context.reason_admin.en });
    ctx.set('cache-control', 'no-store');
    ctx.body = response;
  });
}
