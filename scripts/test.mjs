// `npm test`: builds, runs every node:test suite under dist/ and the Playwright journeys (when e2e/ has
// any), then prints one summary line `N passed, N failed` over all of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv.slice(2);

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : findTests(full);
    return e.name.endsWith('.test.js') ? [full] : [];
  });
}

// build the services, the widget bundle (dist/widget/portfolio.html, served by the MCP server), check the widget's types,
// and bundle the Lab Host's page script (dist/host/public/)
const buildSteps = [['npx', ['tsc', '-p', '.']], [process.execPath, ['scripts/build-widget.mjs']], ['npx', ['tsc', '-p', 'mcp-server/widget']],
  [process.execPath, ['scripts/build-host.mjs']]];
for (const [command, args] of buildSteps) {
  if (spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

let passed = 0;
let failed = 0;

const unitFiles = findTests(path.join(root, 'dist')).filter((f) => !filter.length || filter.some((x) => f.includes(x)));
if (unitFiles.length) {
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=120000', '--test-force-exit', ...unitFiles], {
    cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }, maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)`, 'm').exec(run.stdout)?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  if (run.status !== 0 && count('fail') + count('cancelled') === 0) failed += 1;
}

const e2eDir = path.join(root, 'e2e');
const hasE2e = fs.existsSync(e2eDir) && fs.readdirSync(e2eDir).some((f) => f.endsWith('.spec.ts'));
if (hasE2e && (!filter.length || filter.includes('e2e'))) {
  const report = path.join(root, 'test-results', 'e2e.json');
  const run = spawnSync('npx', ['playwright', 'test', '--reporter=list,json'], {
    cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  try {
    const stats = JSON.parse(fs.readFileSync(report, 'utf8')).stats;
    passed += stats.expected + (stats.flaky ?? 0);
    failed += stats.unexpected;
  } catch {
    failed += 1;
  }
  if (run.status !== 0 && failed === 0) failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
