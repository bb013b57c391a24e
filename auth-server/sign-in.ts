// Email one-time-code sign-in, shared by the OAuth login step and the account page,
// plus the signed cookie that keeps a user signed in to this site's own pages.
import { demoAccounts, findAccountByEmail, type Account } from './accounts.js';
import type { LoginCodes } from './login-codes.js';
import { CODE_TTL_SECONDS, MAX_ATTEMPTS } from './login-codes.js';
import type { Mailbox } from './mail.js';

const COOKIE = 'lab_account';

export function createSignIn(codes: LoginCodes, mailbox: Mailbox) {
  return {
    demoUsers: demoAccounts,

    /** emails a fresh code; returns an error message for the page, or undefined */
    sendCode(emailInput: string | undefined): { email?: string; error?: string } {
      const account = findAccountByEmail(emailInput ?? '');
      if (!account) return { error: 'There is no account with that email. Use one of the demo users.' };
      const code = codes.issue(account.email);
      mailbox.send(
        account.email,
        `Your sign-in code: ${code}`,
        `Hello ${account.name},\n\nyour mcp-auth-lab sign-in code is ${code}.\nIt is valid for ${CODE_TTL_SECONDS / 60} minutes. If you did not ask for it, ignore this mail.`,
        code,
      );
      return { email: account.email };
    },

    verify(emailInput: string | undefined, code: string | undefined): { account?: Account; error?: string } {
      const account = findAccountByEmail(emailInput ?? '');
      if (!account) return { error: 'Unknown account.' };
      switch (codes.check(account.email, code ?? '')) {
        case 'ok':
          return { account };
        case 'wrong':
          return { error: 'That code is not right. Check the inbox and try again.' };
        case 'expired':
          return { error: 'That code has expired. Send a new one.' };
        case 'locked':
          return { error: `Too many wrong tries (${MAX_ATTEMPTS}): this code no longer works. Send a new one.` };
        default:
          return { error: 'No code was sent to this address yet. Send one first.' };
      }
    },

    signedInUser(ctx: any): Account | undefined {
      const email = ctx.cookies.get(COOKIE, { signed: true });
      return email ? findAccountByEmail(email) : undefined;
    },
    startSession(ctx: any, account: Account): void {
      ctx.cookies.set(COOKIE, account.email, { signed: true, httpOnly: true, sameSite: 'lax', maxAge: 14 * 86400_000 });
    },
    endSession(ctx: any): void {
      ctx.cookies.set(COOKIE, null, { signed: true });
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
