// Playwright's webServer: runs the built stack (`node dist/stack/start.js`, built by `npm test` before
// Playwright starts) on a fresh temporary data folder, and removes that folder when the stack stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const launcher = path.join(root, 'dist', 'stack', 'start.js');
if (!fs.existsSync(launcher)) {
  console.error(`e2e: ${path.relative(root, launcher)} is missing; build first (npm run build, or npm test)`);
  process.exit(1);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-lab-e2e-'));
const child = spawn(process.execPath, [launcher], { cwd: root, stdio: 'inherit', env: { ...process.env, DATA_DIR: dataDir } });

const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal); // no-op if the process group already delivered it
  });
}
child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 0 : 1));
});
