// The login and consent steps of the authorization code flow (oidc-provider "interactions").
import { readForm } from '../common/http.js';
import type { Logger } from '../common/log.js';
import type { Router } from './pages.js';
import { renderPage } from './pages.js';
import { resourceServers, scopeDescriptions } from './resources.js';
import type { SignIn } from './sign-in.js';
import type { StackConfig } from '../common/config.js';

const assuranceText: Record<number, string> = {
  1: 'self-registered, not verified by anyone',
  2: 'registered by a known developer',
  3: 'operated by this service',
};

export function describeClient(client: any) {
  return {
    name: client?.display_name ?? client?.clientName ?? client?.clientId ?? 'Unknown app',
    isAgent: client?.client_type === 'mcp',
    assuranceLevel: client?.client_assurance_level ?? 0,
    assuranceText: assuranceText[client?.client_assurance_level] ?? 'unknown',
  };
}

export function describeScopes(scopes: string[]) {
  return scopes.map((name) => ({ name, text: scopeDescriptions[name] ?? name }));
}

export function registerInteractions(router: Router, provider: any, signIn: SignIn, config: StackConfig, log: Logger) {
  const resources = resourceServers(config);

  async function finish(ctx: any, result: Record<string, unknown>, mergeWithLastSubmission: boolean) {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
    ctx.status = 303;
    ctx.redirect(to);
  }

  async function show(ctx: any, uid: string, extra: Record<string, unknown> = {}) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const client = describeClient(await provider.Client.find(details.params.client_id));
    const action = `/interaction/${uid}`;
    if (details.prompt.name === 'login') {
      return renderPage(ctx, 'login', 'Sign in', {
        action, abortAction: `${action}/abort`, client: client.name, demoUsers: signIn.demoUsers, ...extra,
      });
    }
    const missing: Record<string, string[]> = details.prompt.details.missingResourceScopes ?? {};
    const scopes = [...new Set(Object.values(missing).flat())];
    return renderPage(ctx, 'consent', 'Allow access', {
      action,
      client,
      user: details.session?.accountId,
      resourceNames: Object.keys(missing).map((r) => resources.get(r)?.name ?? r),
      scopes: describeScopes(scopes),
      rememberDays: config.consentTtlDays,
    });
  }

  router.get('/interaction/:uid', (ctx, { uid }) => show(ctx, uid));

  router.post('/interaction/:uid/email', async (ctx, { uid }) => {
    const form = await readForm(ctx.req);
    const sent = signIn.sendCode(form.email);
    await show(ctx, uid, sent.error ? { error: sent.error } : { email: sent.email });
  });

  router.post('/interaction/:uid/login', async (ctx, { uid }) => {
    const form = await readForm(ctx.req);
    const result = signIn.verify(form.email, form.code);
    if (!result.account) return show(ctx, uid, { email: form.email, error: result.error });
    signIn.startSession(ctx, result.account);
    log.info('user signed in', { sub: result.account.email });
    await finish(ctx, { login: { accountId: result.account.email } }, false);
  });

  router.post('/interaction/:uid/confirm', async (ctx) => {
    await readForm(ctx.req);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session, grantId } = details;
    if (prompt.name !== 'consent') throw new Error('consent was not requested');
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries<string[]>(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const savedId = await grant.save();
    log.info('consent given', { sub: session.accountId, client_id: params.client_id });
    await finish(ctx, { consent: { grantId: savedId } }, true);
  });

  router.post('/interaction/:uid/abort', async (ctx) => {
    await readForm(ctx.req);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    log.info('authorization denied by user', { client_id: details.params.client_id, sub: details.session?.accountId });
    await finish(ctx, { error: 'access_denied', error_description: 'The user denied the request' },
      false,
    );
  });
}
