// compose.yaml must run the same services, ports and URLs as `npm start` (Docker itself is not
// available in CI here, so this checks the file against the launcher and the config defaults).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../common/config.js';
import { repoRoot } from '../../common/paths.js';
import { serviceNames } from '../services.js';

const compose = fs.readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

test('compose.yaml runs every service the launcher knows, each with its own command', () => {
  const commands = [...compose.matchAll(/command: \["([\w-]+)"\]/g)].map((m) => m[1]);
  assert.deepEqual(commands.sort(), [...serviceNames].sort());
  for (const name of serviceNames) assert.match(compose, new RegExp(`^  ${name}:$`, 'm'), `service ${name} is declared`);
});

test('compose.yaml uses the same ports and public URLs as the defaults of npm start', () => {
  const defaults = loadConfig({});
  for (const [prefix, address] of [['AUTH', defaults.auth], ['MCP', defaults.mcp], ['API', defaults.api], ['HOST', defaults.hostApp]] as const) {
    assert.match(compose, new RegExp(`${prefix}_PORT: "${address.port}"`));
    assert.match(compose, new RegExp(`${prefix}_PUBLIC_URL: \\$\\{${prefix}_PUBLIC_URL:-${address.publicUrl.replace(/[.]/g, '\\.')}\\}`));
  }
});

test('the Dockerfile builds with the npm scripts and starts the launcher', () => {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  assert.ok(pkg.scripts.build, 'package.json has a build script');
  assert.match(dockerfile, /RUN npm run build/);
  assert.match(dockerfile, /ENTRYPOINT \["node", "dist\/stack\/start\.js"\]/);
  assert.match(pkg.scripts.start, /dist\/stack\/start\.js/);
});
