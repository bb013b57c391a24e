// A minimal route table for node:http. Checks: the path matches a route pattern (else 404) and the
// method is one that route serves (else 405 with Allow). `:name` segments match only [A-Za-z0-9._-]{1,64},
// so a parameter never needs decoding and never carries anything but those characters.
import { ApiError } from './errors.js';

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
}

interface Route<H> {
  method: string;
  regex: RegExp;
  names: string[];
  handler: H;
}

export class Router<H> {
  private routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part.slice(1));
        return '([A-Za-z0-9._-]{1,64})';
      })
      .join('/');
    this.routes.push({ method, regex: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  match(method: string, pathname: string): Match<H> {
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        allowed.add(route.method);
        continue;
      }
      const params = Object.fromEntries(route.names.map((n, i) => [n, m[i + 1]]));
      return { handler: route.handler, params };
    }
    if (allowed.size) {
      throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`, { allow: [...allowed].join(', ') });
    }
    throw new ApiError(404, 'not_found', `no route ${pathname}`);
  }
}
