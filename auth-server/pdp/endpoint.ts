// POST /access/v1/evaluation — the policy decision point, for the mcp-server client only.
import { BodyError, readBody } from '../../common/http.js';
import type { AuthAudit } from '../audit.js';
import { currentSpan } from '../../common/trace.js';
import type { Router } from '../pages.js';
import { requireServiceClient, type ServiceClientCheck } from '../service-client.js';
import { evaluate, type EvaluationRequest } from './evaluate.js';
import type { AccessPolicy } from './policy.js';

export function registerPdp(router: Router, policy: () => AccessPolicy, isServiceClient: ServiceClientCheck, audit: AuthAudit) {
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
    audit('pdp.decision', {
      clientId: 'mcp-server', accountId: request.subject?.id, outcome: response.decision ? 'permit' : 'deny',
      detail: { tool, reason: response.context.reason_admin.en, obligations: response.context.obligations?.map((o) => o.id) },
    });
    currentSpan()?.setAttributes({
      'pdp.tool': tool, 'pdp.subject': request.subject?.id, 'pdp.resource': request.resource?.properties,
      'pdp.decision': response.decision ? 'permit' : 'deny', 'pdp.reason': response.context.reason_admin.en,
      'pdp.reason_user': response.context.reason_user?.en, 'pdp.obligations': response.context.obligations?.map((o) => o.id) ?? [],
    });
    ctx.set('cache-control', 'no-store');
    ctx.body = response;
  });
}
