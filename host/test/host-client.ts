// A test's view of the host page: one cookie (one browser session), JSON calls to the host API, and a
// record of every response body so a test can prove no token ever reached the browser.
export class HostClient {
  private cookie = '';
  readonly bodies: string[] = [];

  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.getSetCookie()[0];
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    this.bodies.push(text);
    return { status: res.status, text, type: res.headers.get('content-type') ?? '', json: () => JSON.parse(text) };
  }

  async api(method: string, path: string, body?: unknown): Promise<any> {
    const res = await this.request(method, path, body);
    return { httpStatus: res.status, ...res.json() };
  }

  callTool(name: string, args: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    return this.api('POST', '/api/tools/call', { name, arguments: args, ...extra });
  }

  /** opens the URL the auth server redirected the popup to (the host's /oauth/callback) in this session */
  callback(url: string) {
    const u = new URL(url);
    return this.request('GET', `${u.pathname}${u.search}`);
  }
}

export const JWT_LIKE = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+/;
