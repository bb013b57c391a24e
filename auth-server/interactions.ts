// The login and consent steps of the authorization code flow (oidc-provider "interactions").
import { errors } from 'oidc-provider';
import { readForm } from '../common/http.js';
import type { AuthAudit } from './audit.js';
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

type Handler = Parameters<Router['get']>[1];

// An expired or out-of-step interaction (no cookie, consent posted before sign-in) is a 4xx oidc-provider
// error: show it on the error page like oidc-provider's own routes do, instead of a bare text or a 500.
function showingErrors(handler: Handler): Handler {
  return async (ctx, params) => {
    try {
      await handler(ctx, params);
    } catch (err: any) {
      if (!(err instanceof errors.OIDCProviderError) || err.statusCode >= 500) throw err;
      renderPage(ctx, 'error', 'Error', { error: err.error, description: err.error_description }, err.statusCode);
    }
  };
}

export function registerInteractions(appRouter: Router, provider: any, signIn: SignIn, config: StackConfig, audit: AuthAudit) {
  const resources = resourceServers(config);
  const router = {
    get: (route: string, handler: Handler) => appRouter.get(route, showingErrors(handler)),
    post: (route: string, handler: Handler) => appRouter.post(route, showingErrors(handler)),
  };

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
    audit('user.signed_in', { accountId: result.account.email, outcome: 'ok' });
    await finish(ctx, { login: { accountId: result.account.email } }, false);
  });

  router.post('/interaction/:uid/confirm', async (ctx) => {
    await readForm(ctx.req);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session, grantId } = details;
    if (prompt.name !== 'consent') throw new errors.InvalidRequest('consent was not requested: sign in first');
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
    audit('consent.given', { clientId: params.client_id, accountId: session.accountId, outcome: 'granted', detail: { grant_id: savedId } });
    await finish(ctx, { consent: { grantId: savedId } }, true);
  });

  router.post('/interaction/:uid/abort', async (ctx) => {
    await readForm(ctx.req);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    audit('consent.denied', { clientId: details.params.client_id, accountId: details.session?.accountId, outcome: 'access_denied' });
    await finish(ctx, { error: 'access_denied', error_description: 'The user denied the request' },
      false,
    );
  });
}
