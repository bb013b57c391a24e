// Asks the auth server's policy decision point (AuthZEN evaluation) about one tool call.
import type { AccessClaims } from '../common/access-token.js';
import type { StackConfig } from '../common/config.js';
import type { JsonClient } from '../common/http-client.js';
import { currentSpan } from '../common/trace.js';
import { mcpServerAuthorization } from './client-auth.js';

export interface Decision {
  decision: boolean;
  context: { id: string; reason_admin?: { en: string }; reason_user?: { en: string }; obligations?: { id: string }[] };
}

export function createPdpClient(config: StackConfig, requestJson: JsonClient) {
  const url = `${config.auth.internalUrl}/access/v1/evaluation`;
  const authorization = mcpServerAuthorization(config);

  return async function evaluate(claims: AccessClaims | undefined, tool: string, properties: Record<string, unknown> = {}): Promise<Decision> {
    const res = await requestJson<Decision>(url, {
      method: 'POST',
      headers: { authorization },
      body: {
        subject: claims
          ? { type: 'user', id: claims.sub, properties: { scope: claims.scope, client_id: claims.client_id, client_type: claims.client_type, client_assurance_level: claims.client_assurance_level, act: claims.act } }
          : undefined,
        action: { name: tool },
        resource: { type: 'mcp_tool', id: tool, properties },
        context: { time: new Date().toISOString() },
      },
    });
    if (res.status !== 200) throw new Error(`policy decision point answered ${res.status}`);
    currentSpan()?.setAttribute('pdp.decision', res.body.decision ? (needsApproval(res.body) ? 'permit_with_approval' : 'permit') : 'deny');
    return res.body;
  };
}

export type PdpClient = ReturnType<typeof createPdpClient>;

export const needsApproval = (d: Decision) => d.context.obligations?.some((o) => o.id === 'user_approval') ?? false;
export const reasonFor = (d: Decision) => d.context.reason_user?.en ?? d.context.reason_admin?.en ?? 'Not allowed by policy.';
