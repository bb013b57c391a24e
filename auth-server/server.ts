// Assembles the authorization server: storage, provider, our pages and the guards in front of it.
import http from 'node:http';
import { listen } from '../common/http.js';
import type { StackConfig } from '../common/config.js';
import { createLogger } from '../common/log.js';
import { createSpanRecorder } from '../common/trace.js';
import { demoAccounts } from './accounts.js';
import { registerAccountPages } from './account-pages.js';
import { sweepExpired } from './adapter.js';
import { createAuthAudit } from './audit.js';
import { registerRevocationFeed } from './revocation-feed.js';
import { createCimdResolver } from './cimd.js';
import { createGrants } from './grants.js';
import { registerInteractions } from './interactions.js';
import { loadOrCreateKeys } from './keys.js';
import { createLoginCodes } from './login-codes.js';
import { createMailbox } from './mail.js';
import { createOwnTokenVerifier, type OwnTokenVerifier } from './own-tokens.js';
import { cibaFeature } from './approvals/ciba.js';
import { createDecider } from './approvals/decide.js';
import { registerApprovalPages } from './approvals/pages.js';
import { createQrFrames } from './approvals/qr.js';
import { createReceiptSigner } from './approvals/receipts.js';
import { createApprovalStore } from './approvals/store.js';
import { createServiceClientCheck } from './service-client.js';
import { registerPdp } from './pdp/endpoint.js';
import { defaultAccessPolicyFile, watchAccessPolicy } from './pdp/policy.js';
import { createRouter, renderPage } from './pages.js';
import { protocolFixes } from './protocol-fixes.js';
import { createProvider, MCP_SERVER_CLIENT_ID, policyOf } from './provider.js';
import { registrationGuard } from './registration/guard.js';
import { loadRegistrationPolicies } from './registration/policies.js';
import { purgeIdleClients } from './registration/purge.js';
import { createResourceInfo } from './resource-info.js';
import { resourceServers } from './resources.js';
import { createSignIn } from './sign-in.js';
import { createEs256Signer } from './signing-key.js';
import { openAuthStore } from './store.js';
import { registerTokenExchange } from './token-exchange/index.js';
import { traceHops, traceProviderErrors } from './tracing.js';

const HOUR = 3600_000;

export interface RunningService {
  url: string;
  close(): Promise<void>;
}

export async function startAuthServer(config: StackConfig): Promise<RunningService> {
  const log = createLogger('auth-server', config.logLevel);
  const db = openAuthStore(config.dataDir);
  const audit = createAuthAudit(db, log);
  const tracer = createSpanRecorder('auth-server', db);
  const policies = loadRegistrationPolicies(config);
  const resourceInfo = createResourceInfo(config, policies);
  const mailbox = createMailbox(db);
  const signIn = createSignIn(createLoginCodes(db), mailbox);

  const renderError = async (ctx: any, out: Record<string, string>) => {
    renderPage(ctx, 'error', 'Error', { error: out.error, description: out.error_description }, ctx.status);
  };
  const jwks = loadOrCreateKeys(config.dataDir);
  const signer = createEs256Signer(jwks);
  const approvals = createApprovalStore(db);
  // the CIBA hooks verify tokens with `verify`, which needs the grants, which need the provider
  let verify: OwnTokenVerifier;
  const ciba = cibaFeature(config, (token, audiences) => verify(token, audiences), approvals, log);
  const provider = createProvider({
    config, db, log, policies, resourceInfo, renderError, ciba, approvals, cimd: createCimdResolver(config.localMode, log),
  });
  const grants = createGrants(db, provider);
  verify = createOwnTokenVerifier(provider.issuer, jwks, grants);
  const isServiceClient = createServiceClientCheck(MCP_SERVER_CLIENT_ID, config.mcpServerClientSecret);
  const decide = createDecider(provider, config, approvals, createReceiptSigner(provider.issuer, signer), audit);
  const exchangeFastPath = registerTokenExchange(provider, {
    config, verify, grants, resourceInfo, signer, log, policyOf: (c) => policyOf(policies, c),
  });

  for (const event of ['access_token.issued', 'client_credentials.issued']) provider.on(event, (t: any) => grants.recordIssued(t));
  // every refusal lands in the audit trail with its standard error code and reason
  const refused = (event: string) => (ctx: any, err: any) => audit(event, {
    clientId: ctx?.oidc?.client?.clientId ?? ctx?.oidc?.params?.client_id, outcome: err.error ?? 'server_error', detail: { reason: err.error_description },
  });
  provider.on('grant.error', refused('token.refused'));
  provider.on('authorization.error', refused('authorization.refused'));
  provider.on('backchannel_authentication.error', refused('backchannel.refused'));
  provider.on('registration_create.error', refused('registration.refused'));
  provider.on('registration_create.success', (_ctx: any, client: any) => audit('registration.created', {
    clientId: client.clientId, outcome: 'registered', detail: { policy: client.registration_policy, name: client.display_name },
  }));

  const router = createRouter();
  router.get('/', (ctx) => renderPage(ctx, 'home', 'Authorization server', { issuer: provider.issuer, demoUsers: demoAccounts, user: signIn.signedInUser(ctx)?.email }));
  registerInteractions(router, provider, signIn, config, audit);
  registerAccountPages(router, provider, signIn, grants, mailbox, approvals, audit);
  registerPdp(router, watchAccessPolicy(config.accessPolicyFile ?? defaultAccessPolicyFile, (m) => log.error(m)), isServiceClient, audit);
  registerRevocationFeed(router, grants, isServiceClient);
  registerApprovalPages(router, approvals, signIn, createQrFrames(provider.issuer, config.cookieKeys[0]), decide, isServiceClient);

  traceProviderErrors(provider);
  provider.use(traceHops());
  provider.use(exchangeFastPath);
  provider.use(registrationGuard('/reg', config.registrationRateLimitPerMinute));
  provider.use(protocolFixes(resourceServers(config), config.mcpResource));
  provider.use(router.middleware);

  const housekeeping = () => {
    sweepExpired(db);
    grants.sweep();
    const purged = purgeIdleClients(db, config.dynamicClientMaxIdleDays);
    if (purged) log.info('idle dynamic clients purged', { count: purged });
  };
  housekeeping();
  const timer = setInterval(housekeeping, HOUR).unref();

  const server = http.createServer(tracer.wrap(provider.callback()));
  await listen(server, config.auth.port);
  log.info('ready', { issuer: provider.issuer });

  return {
    url: config.auth.publicUrl,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tracer.close();
      db.close();
    },
  };
}
