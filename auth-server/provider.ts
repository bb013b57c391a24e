// oidc-provider configuration: one place that wires accounts, storage, keys, resources,
// registration policies, token claims and lifetimes together.
import Provider, { errors } from 'oidc-provider';
import type { StackConfig } from '../common/config.js';
import type { Db } from '../common/db.js';
import type { Logger } from '../common/log.js';
import { createAccessTokenClaims } from './access-token-claims.js';
import { demoAccounts, findAccountByEmail } from './accounts.js';
import { createAdapterClass } from './adapter.js';
import type { CimdResolver } from './cimd.js';
import { loadOrCreateKeys } from './keys.js';
import { createPolicyValidator, POLICY_PROPERTIES } from './registration/apply-policy.js';
import type { RegistrationPolicies } from './registration/policies.js';
import { allResourceScopes, resourceServers } from './resources.js';
import type { ResourceInfo } from './resource-info.js';
import { validateStockTrade } from './approvals/ciba.js';
import type { ApprovalStore } from './approvals/store.js';

export const MCP_SERVER_CLIENT_ID = 'mcp-server';
const DAY = 24 * 60 * 60;

export interface ProviderDeps {
  config: StackConfig;
  db: Db;
  log: Logger;
  policies: RegistrationPolicies;
  cimd: CimdResolver;
  renderError: (ctx: any, out: Record<string, string>, error: Error) => Promise<void>;
  resourceInfo: ResourceInfo;
  /** features.ciba hooks (approvals/ciba.ts) */
  ciba: Record<string, unknown>;
  approvals: ApprovalStore;
}

/** the registration rule's settings for a client instance (set by the policy validator) */
export function policyOf(policies: RegistrationPolicies, client: any) {
  return policies.byName(client?.registration_policy)?.set;
}

export function createProvider({ config, db, log, policies, cimd, renderError, resourceInfo, ciba, approvals }: ProviderDeps): any {
  const addClaims = createAccessTokenClaims(resourceServers(config));
  const staticClients = [
    {
      client_id: MCP_SERVER_CLIENT_ID,
      client_secret: config.mcpServerClientSecret,
      client_name: 'Portfolio MCP server',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange', 'urn:openid:params:grant-type:ciba', 'client_credentials'],
      backchannel_token_delivery_mode: 'poll',
      response_types: [],
      redirect_uris: [],
    },
  ];
  const knownScopes = new Set(['openid', 'offline_access', 'email', 'profile', ...allResourceScopes(config)]);
  const validator = createPolicyValidator(policies, new Set(staticClients.map((c) => c.client_id)), knownScopes);

  const Adapter = createAdapterClass(db);
  class ClientAdapter extends Adapter {
    // Client ID Metadata Documents: a URL client_id that is not stored is resolved from its document
    async find(id: string) {
      return (await super.find(id)) ?? (cimd.accepts(id) ? cimd.resolve(id) : undefined);
    }
  }

  const findGrantFor = db.prepare(
    `SELECT id FROM oidc WHERE model = 'Grant' AND json_extract(payload, '$.accountId') = ?
       AND json_extract(payload, '$.clientId') = ? AND (expires_at IS NULL OR expires_at > unixepoch())
     ORDER BY expires_at DESC LIMIT 1`,
  );

  const provider = new Provider(config.auth.publicUrl, {
    adapter: (name: string) => (name === 'Client' ? new ClientAdapter(name) : new Adapter(name)),
    clients: staticClients,
    jwks: loadOrCreateKeys(config.dataDir),
    cookies: { keys: config.cookieKeys },
    scopes: [...knownScopes],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx: unknown, sub: string) {
      const account = findAccountByEmail(sub);
      if (!account) return undefined;
      return {
        accountId: account.email,
        claims: async () => ({ sub: account.email, email: account.email, email_verified: true, name: account.name }),
      };
    },
    interactions: { url: (_ctx: unknown, interaction: any) => `/interaction/${interaction.uid}` },
    renderError,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    extraClientMetadata: { properties: POLICY_PROPERTIES, validator },
    discovery: {
      client_id_metadata_document_supported: true,
      service_documentation: `${config.auth.publicUrl}/`,
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      registration: { enabled: true, initialAccessToken: false },
      rpInitiatedLogout: { enabled: true },
      ciba,
      richAuthorizationRequests: {
        enabled: true,
        types: { stock_trade: { validate: validateStockTrade } },
        // details are only ever approved through CIBA: the approval page passes them to the token
        authorizationDetailsForGrantSource: () => undefined,
        authorizationDetailsForAccessToken: (_ctx: unknown, _token: unknown, source: any) => source?.rar,
        authorizationDetailsForIntrospection: (_ctx: unknown, token: any) => token.rar,
      },
      resourceIndicators: {
        enabled: true,
        // an MCP host that names no resource gets the first audience its policy allows
        defaultResource: (_ctx: unknown, client: any, oneOf?: string[]) => oneOf ?? policyOf(policies, client)?.audiences[0],
        useGrantedResource: () => true,
        getResourceServerInfo: resourceInfo,
      },
    },
    // oidc-provider replaces a token's `extra` with this result: keep what token exchange put there
    // (act chain); a CIBA token gets the approved agent's chain and the signed approval receipt
    extraTokenClaims(ctx: any, token: any) {
      const request = ctx?.oidc?.entities?.BackchannelAuthenticationRequest;
      const approval = token.gty === 'ciba' && request ? approvals.byAuthReqId(request.jti) : undefined;
      if (!approval) return token.extra;
      return {
        act: approval.act ? { sub: approval.clientId, act: approval.act } : { sub: approval.clientId },
        client_type: approval.clientType,
        client_assurance_level: approval.clientAssuranceLevel,
        approval_receipt: approval.receipt,
      };
    },
    formats: {
      // RFC 9068 claims the MCP server and the API authorize on (see DESIGN.md "Token shapes")
      customizers: { jwt: (_ctx: unknown, token: any, jwt: { payload: Record<string, unknown> }) => addClaims(token, jwt.payload) },
    },
    ttl: {
      // token exchange sets its own expiresIn (capped at the subject token's exp, token-exchange/issue-token.ts)
      AccessToken: (_ctx: unknown, token: any, client: any) =>
        token.resourceServer?.accessTokenTTL ?? policyOf(policies, client)?.access_token_ttl ?? 900,
      ClientCredentials: (_ctx: unknown, token: any) => token.resourceServer?.accessTokenTTL ?? 300,
      AuthorizationCode: 60,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      // a remembered consent lasts CONSENT_TTL_DAYS; a one-trade approval grant only as long as its request
      Grant: (_ctx: unknown, grant: any) => (grant?.clientId === MCP_SERVER_CLIENT_ID ? 120 : config.consentTtlDays * DAY),
      IdToken: 60 * 60,
      // an approval request lives as long as the requester asks, two minutes at most
      BackchannelAuthenticationRequest: (ctx: any) => Math.min(120, Number(ctx?.oidc?.params?.requested_expiry) || 120),
    },
    issueRefreshToken: (_ctx: unknown, client: any) =>
      client.grantTypeAllowed('refresh_token') && !!policyOf(policies, client)?.refresh_tokens,
    // remembered consent: reuse the user's unexpired grant for this client even from a new browser session
    async loadExistingGrant(ctx: any) {
      const { provider: p, session, client, result } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId)
        ?? (session.accountId ? (findGrantFor.get(session.accountId, client.clientId) as { id: string } | undefined)?.id : undefined);
      return grantId ? p.Grant.find(grantId) : undefined;
    },
  });

  provider.proxy = true;
  provider.on('server_error', (_ctx: unknown, err: Error) => log.error('server error', { error: err.message, stack: err.stack }));
  log.debug('provider configured', { accounts: demoAccounts.length });
  return provider;
}
