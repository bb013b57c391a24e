// The user's phone: a second browser session signed in to the auth server, which opens an approval
// link (from the QR code or the account page) and approves or denies it.
import { FormBrowser, type Response } from './browser.js';
import { latestCode } from './oauth.js';

export class Phone {
  readonly browser = new FormBrowser();
  constructor(readonly issuer: string, readonly email = 'alice@demo.example') {}

  async signIn(): Promise<void> {
    await this.browser.post(`${this.issuer}/account/email`, { email: this.email });
    const page = await this.browser.post(`${this.issuer}/account/login`, { email: this.email, code: await latestCode(this.issuer, this.email) });
    if (!page.text.includes('Connected agents')) throw new Error(`phone sign-in failed: ${page.status}`);
  }

  /** opens a scanned QR link; returns the approval page */
  open(url: string): Promise<Response> {
    return this.browser.get(url);
  }

  /** presses Approve or Deny on the approval page it has open */
  async decide(page: Response, decision: 'approve' | 'deny'): Promise<Response> {
    const action = new RegExp(`action="(/approvals/[^"]+/${decision})"`).exec(page.text)?.[1];
    if (!action) throw new Error(`no ${decision} button on ${page.url}: ${page.text.slice(0, 200)}`);
    return this.browser.post(`${this.issuer}${action}`, {});
  }
}

/** the receipt JWS shown on an approval page */
export function receiptOf(page: Response): string | undefined {
  return /<pre class="receipt">([^<]+)<\/pre>/.exec(page.text)?.[1];
}
