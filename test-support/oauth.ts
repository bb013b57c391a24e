// Drives the auth server's sign-in and consent pages for a user, reading the code from the local inbox.
import { FormBrowser, formActions } from './browser.js';

export async function latestCode(issuer: string, email: string): Promise<string> {
  const res = await fetch(`${issuer}/mail?format=json&to=${encodeURIComponent(email)}`);
  const { messages } = (await res.json()) as { messages: { code: string }[] };
  if (!messages.length) throw new Error(`no mail for ${email}`);
  return messages[0].code;
}

export interface AuthorizationOutcome {
  /** where the auth server finally sent the browser (the client's redirect_uri with code or error) */
  redirect: URL;
  code?: string;
  consentPage?: string;
}

/**
 * Opens the authorization URL, signs in as `email` (if asked), and approves (or denies) consent.
 * Returns the redirect back to the client.
 */
export async function authorizeInBrowser(
  browser: FormBrowser,
  authorizationUrl: string,
  redirectUri: string,
  { email = 'alice@demo.example', consent = 'allow' as 'allow' | 'deny' } = {},
): Promise<AuthorizationOutcome> {
  const issuer = new URL(authorizationUrl).origin;
  const atClient = (u: string) => u.startsWith(redirectUri);
  let page = await browser.get(authorizationUrl, atClient);
  let consentPage: string | undefined;
  for (let step = 0; step < 6 && !(page.location && atClient(page.location)); step++) {
    const actions = formActions(page.text);
    const base = actions[0]?.replace(/\/(email|login|confirm|abort)$/, '');
    if (!base) throw new Error(`unexpected page at ${page.url} (${page.status}): ${page.text.slice(0, 300)}`);
    if (actions.includes(`${base}/email`) && !page.text.includes('name="code"')) {
      page = await browser.post(`${issuer}${base}/email`, { email }, atClient);
    } else if (page.text.includes('name="code"')) {
      page = await browser.post(`${issuer}${base}/login`, { email, code: await latestCode(issuer, email) }, atClient);
    } else if (actions.includes(`${base}/confirm`)) {
      consentPage = page.text;
      page = await browser.post(`${issuer}${base}/${consent === 'allow' ? 'confirm' : 'abort'}`, {}, atClient);
    } else {
      throw new Error(`no known form on ${page.url}`);
    }
  }
  if (!page.location) throw new Error(`authorization did not return to the client: ${page.status} ${page.text.slice(0, 300)}`);
  const redirect = new URL(page.location);
  return { redirect, code: redirect.searchParams.get('code') ?? undefined, consentPage };
}
