// A minimal user agent for headless flows: follows redirects by hand, keeps cookies per host,
// submits forms. It drives the auth server's real pages exactly as a browser would post them.
export interface Response {
  status: number;
  url: string;
  location?: string;
  text: string;
}

export class FormBrowser {
  private cookies = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    return [...(this.cookies.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(url: URL, res: globalThis.Response) {
    const jar = this.cookies.get(url.host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(url.host, jar);
  }

  /** one request, no redirect following */
  async request(method: string, target: string, form?: Record<string, string>): Promise<Response> {
    const url = new URL(target);
    const headers: Record<string, string> = { cookie: this.cookieHeader(url), accept: 'text/html' };
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.store(url, res);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url: url.href, location: location ? new URL(location, url).href : undefined, text: await res.text() };
  }

  /** follows redirects until a non-redirect answer, or until a URL that `stopAt` accepts */
  async follow(first: Response, stopAt?: (url: string) => boolean): Promise<Response> {
    let res = first;
    for (let hops = 0; res.location && hops < 20; hops++) {
      if (stopAt?.(res.location)) return res;
      res = await this.request('GET', res.location);
    }
    return res;
  }

  async get(url: string, stopAt?: (url: string) => boolean) {
    return this.follow(await this.request('GET', url), stopAt);
  }

  async post(url: string, form: Record<string, string>, stopAt?: (url: string) => boolean) {
    return this.follow(await this.request('POST', url, form), stopAt);
  }
}

/** the form action attributes on a page, in order */
export function formActions(html: string): string[] {
  return [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
}
