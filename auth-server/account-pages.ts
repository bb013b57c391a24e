// /account (connected agents, Remove) and /mail (the local inbox, as a page and as JSON).
import { readForm } from '../common/http.js';
import type { AuthAudit } from './audit.js';
import { describeApproval } from './approvals/pages.js';
import type { ApprovalStore } from './approvals/store.js';
import type { Grants } from './grants.js';
import { describeClient, describeScopes } from './interactions.js';
import type { Mailbox } from './mail.js';
import type { Router } from './pages.js';
import { renderPage } from './pages.js';
import type { SignIn } from './sign-in.js';

/** only a path on this site may be returned to after sign-in (no open redirect) */
const safeReturn = (to: string | undefined) => (to && /^\/(?![/\\])/.test(to) ? to : undefined);

const when = (epoch?: number) => (epoch ? new Date(epoch * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'never');

export function registerAccountPages(
  router: Router, provider: any, signIn: SignIn, grants: Grants, mailbox: Mailbox, approvals: ApprovalStore, audit: AuthAudit,
) {
  const loginPage = (ctx: any, extra: Record<string, unknown> = {}) =>
    renderPage(ctx, 'login', 'Sign in', { action: '/account', demoUsers: signIn.demoUsers, ...extra });

  async function agentsOf(accountId: string) {
    const listed = await Promise.all(grants.listForAccount(accountId).map(async (g) => {
      const client = await provider.Client.find(g.clientId).catch(() => undefined);
      // the MCP server's one-trade approval grants are shown under Approvals, not as a connected agent
      if (client?.client_type === 'service') return undefined;
      const scopes = [...new Set(Object.values(g.resources).flatMap((s) => s.split(' ')))];
      const described = describeClient(client ?? { clientId: g.clientId });
      return {
        grantId: g.id,
        clientId: g.clientId,
        name: described.name,
        isAgent: described.isAgent,
        scopes: describeScopes(scopes),
        connected: when(g.iat),
        lastUsed: when(grants.lastUsed(g.clientId, accountId)),
      };
    }));
    return listed.filter((a) => a !== undefined);
  }

  router.get('/account', async (ctx) => {
    const user = signIn.signedInUser(ctx);
    if (!user) return loginPage(ctx);
    renderPage(ctx, 'account', 'Your account', {
      user: user.email,
      agents: await agentsOf(user.email),
      approvals: approvals.listForAccount(user.email).map(describeApproval),
      notice: ctx.query.notice,
    });
  });

  router.post('/account/email', async (ctx) => {
    const form = await readForm(ctx.req);
    const sent = signIn.sendCode(form.email);
    loginPage(ctx, { returnTo: safeReturn(form.return_to), ...(sent.error ? { error: sent.error } : { email: sent.email }) });
  });

  router.post('/account/login', async (ctx) => {
    const form = await readForm(ctx.req);
    const result = signIn.verify(form.email, form.code);
    if (!result.account) return loginPage(ctx, { email: form.email, error: result.error, returnTo: safeReturn(form.return_to) });
    signIn.startSession(ctx, result.account);
    ctx.status = 303;
    ctx.redirect(safeReturn(form.return_to) ?? '/account');
  });

  router.post('/account/logout', async (ctx) => {
    signIn.endSession(ctx);
    ctx.status = 303;
    ctx.redirect('/account');
  });

  router.post('/account/agents/:grantId/remove', async (ctx, { grantId }) => {
    await readForm(ctx.req);
    const user = signIn.signedInUser(ctx);
    if (!user) return loginPage(ctx, { error: 'Sign in to manage your agents.' });
    const grant = grants.listForAccount(user.email).find((g) => g.id === grantId);
    if (!grant) return renderPage(ctx, 'error', 'Not found', { error: 'not_found', description: 'No such agent on your account.' }, 404);
    await grants.revoke(grantId);
    audit('grant.revoked', { clientId: grant.clientId, accountId: user.email, outcome: 'revoked', detail: { reason: 'removed by the user on /account' } });
    ctx.status = 303;
    ctx.redirect(`/account?notice=${encodeURIComponent('Agent removed. Its tokens no longer work.')}`);
  });

  router.get('/mail', (ctx) => {
    const to = typeof ctx.query.to === 'string' ? ctx.query.to.toLowerCase() : undefined;
    const messages = mailbox.list(to);
    if (ctx.query.format === 'json' || (ctx.accepts('html', 'json') === 'json')) {
      ctx.set('cache-control', 'no-store');
      ctx.body = { messages };
      return;
    }
    renderPage(ctx, 'mail', 'Inbox', { messages, user: signIn.signedInUser(ctx)?.email });
  });
}
