// Bundles the Lab Host's browser code (host/ui/) into dist/host/public/: host.js and host.css.
// The bridge that runs inside widget iframes (host/ui/bridge.ts) is bundled first, as text, and
// embedded in host.js, which injects it into each widget's srcdoc. Types are checked by `tsc -p .`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = path.join(root, 'host', 'ui');
const outDir = path.join(root, 'dist', 'host', 'public');
const target = ['es2020', 'chrome100', 'firefox100', 'safari15'];

const started = performance.now();
const bridge = await esbuild.build({
  entryPoints: [path.join(ui, 'bridge.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
// the bridge is placed inside a <script> element: it must not close it early
const bridgeSource = bridge.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');

fs.mkdirSync(outDir, { recursive: true });
await esbuild.build({
  entryPoints: { host: path.join(ui, 'main.ts') },
  bundle: true,
  outdir: outDir,
  format: 'esm',
  platform: 'browser',
  target,
  define: { __WIDGET_BRIDGE__: JSON.stringify(bridgeSource) },
  legalComments: 'none',
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: { host: path.join(ui, 'styles.css') },
  bundle: true,
  outdir: outDir,
  logLevel: 'warning',
});
const size = (f) => `${(fs.statSync(path.join(outDir, f)).size / 1024).toFixed(1)} kB`;
console.log(`host: dist/host/public/host.js (${size('host.js')}), host.css (${size('host.css')}) in ${Math.round(performance.now() - started)} ms`);
