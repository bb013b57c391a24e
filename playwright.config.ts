// Playwright journeys (e2e/) against the real stack in a real Chromium. `npm test` builds first and
// then runs `npx playwright test`; the stack gets its own ports and a temporary data folder.
import fs from 'node:fs';
import { defineConfig } from '@playwright/test';
import { stackEnv, urls } from './e2e/stack.js';

// Debian's Chromium where it exists (CI installs it); elsewhere Playwright's own browser
const executablePath = process.env.CHROMIUM_PATH ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  // the journeys share one user's state and run in order
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL: urls.host,
    viewport: { width: 1280, height: 800 },
    screenshot: 'on',
    // a failed test keeps its trace (actions, network, console); DOM snapshots and the screencast
    // double the suite's time on a 2-core machine, so only E2E_TRACE=full records them
    trace: process.env.E2E_TRACE === 'full' ? 'retain-on-failure' : { mode: 'retain-on-failure', snapshots: false, screenshots: false, sources: true },
    actionTimeout: 10_000,
    launchOptions: {
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
  webServer: {
    command: 'node e2e/start-stack.mjs',
    url: `${urls.host}/`,
    env: stackEnv,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
