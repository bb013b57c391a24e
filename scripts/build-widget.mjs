// Bundles the portfolio widget (mcp-server/widget/) into ONE self-contained HTML document,
// dist/widget/portfolio.html, with its script and styles inline: the MCP server serves it as the
// ui://widget/portfolio.html resource, and hosts load it into a sandboxed iframe with no network.
// esbuild strips the TypeScript types; `npx tsc -p mcp-server/widget` type-checks them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'mcp-server', 'widget');
const outFile = path.join(root, 'dist', 'widget', 'portfolio.html');

const started = performance.now();
const result = await esbuild.build({
  entryPoints: [path.join(source, 'main.ts')],
  bundle: true,
  write: false,
  outdir: path.join(root, 'dist', 'widget'),
  format: 'iife',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const output = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';

// inline code must not close its own element early
const js = output('.js').replace(/<\/(script)/gi, '<\\/$1');
const css = output('.css').replace(/<\/(style)/gi, '<\\/$1');
const template = fs.readFileSync(path.join(source, 'portfolio.html'), 'utf8');
// a replacer function, so `$` sequences in the bundle are not read as patterns
const html = template.replace('/*__WIDGET_CSS__*/', () => css).replace('/*__WIDGET_JS__*/', () => js);

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, html);
console.log(`widget: ${path.relative(root, outFile)} (${(html.length / 1024).toFixed(1)} kB) in ${Math.round(performance.now() - started)} ms`);
