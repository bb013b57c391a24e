// Renders EJS views from views/ inside the shared layout, and a tiny router for our own pages.
import path from 'node:path';
import ejs from 'ejs';
import { BodyError } from '../common/http.js';
import { repoRoot } from '../common/paths.js';

const viewsDir = path.join(repoRoot, 'views');
const compiled = new Map<string, ejs.TemplateFunction>();

function template(name: string): ejs.TemplateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const file = path.join(viewsDir, `${name}.ejs`);
    fn = ejs.compile(ejs.fileLoader(file).toString(), { filename: file }) as ejs.TemplateFunction;
    compiled.set(name, fn);
  }
  return fn;
}

export function renderPage(ctx: any, view: string, title: string, locals: Record<string, unknown> = {}, status = 200): void {
  const body = template(view)(locals);
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = template('layout')({ title, body, user: locals.user });
}

type Handler = (ctx: any, params: Record<string, string>) => Promise<void> | void;

/** Matches `METHOD /path/:param` routes; anything unmatched falls through to oidc-provider. */
export function createRouter() {
  const routes: { method: string; pattern: RegExp; keys: string[]; handler: Handler }[] = [];
  const add = (method: string, route: string, handler: Handler) => {
    const keys: string[] = [];
    const pattern = new RegExp(`^${route.replace(/:(\w+)/g, (_m, k) => (keys.push(k), '([^/]+)'))}$`);
    routes.push({ method, pattern, keys, handler });
  };
  return {
    get: (route: string, handler: Handler) => add('GET', route, handler),
    post: (route: string, handler: Handler) => add('POST', route, handler),
    middleware: async (ctx: any, next: () => Promise<void>) => {
      for (const r of routes) {
        if (r.method !== ctx.method) continue;
        const m = r.pattern.exec(ctx.path);
        if (!m) continue;
        try {
          const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
          await r.handler(ctx, params);
        } catch (err) {
          // a body too large, a client gone mid-body, a broken %-escape: the client's fault, said plainly
          if (!(err instanceof BodyError || err instanceof URIError)) throw err;
          const status = err instanceof BodyError ? err.status : 400;
          renderPage(ctx, 'error', 'Bad request', { error: 'invalid_request', description: err.message }, status);
        }
        return;
      }
      await next();
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
