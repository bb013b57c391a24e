// The launcher: `npm start` runs every service of the stack in this one process (fast start-up, one Ctrl-C);
// `node dist/stack/start.js auth-server` runs just the named ones (what compose.yaml does).
import { loadConfig } from '../common/config.js';
import { createLogger } from '../common/log.js';
import { demoAccounts } from '../auth-server/accounts.js';
import { serviceNames, services, type RunningService, type ServiceName } from './services.js';

async function main() {
  const config = loadConfig();
  const log = createLogger('stack', config.logLevel);
  const wanted = (process.argv.slice(2).length ? process.argv.slice(2) : serviceNames) as ServiceName[];
  const unknown = wanted.filter((name) => !(name in services));
  if (unknown.length) {
    console.error(`unknown service: ${unknown.join(', ')} (known: ${serviceNames.join(', ')})`);
    process.exit(2);
  }

  const running: RunningService[] = [];
  const stop = async (signal: string) => {
    log.info('stopping', { signal });
    await Promise.allSettled(running.map((s) => s.close()));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  for (const name of wanted) running.push(await services[name](config));

  const lines = [
    '',
    `mcp-auth-lab is running (${wanted.join(', ')}):`,
    ...urlLines(config, wanted),
    `  demo users            ${demoAccounts.map((a) => `${a.email} (${a.region})`).join(', ')}`,
    `  data folder           ${config.dataDir}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function urlLines(config: ReturnType<typeof loadConfig>, wanted: ServiceName[]): string[] {
  const lines: Record<ServiceName, string> = {
    'auth-server': `  authorization server  ${config.auth.publicUrl}   (inbox: ${config.auth.publicUrl}/mail, account: ${config.auth.publicUrl}/account)`,
    'mcp-server': `  MCP server            ${config.mcpResource}`,
    'portfolio-api': `  portfolio API         ${config.api.publicUrl}   (quotes: ${config.api.publicUrl}/quotes?query=acme)`,
    host: `  MCP host (chat)       ${config.hostApp.publicUrl}   <- open this`,
  };
  return wanted.map((name) => lines[name]);
}

main().catch((err) => {
  if (err?.code === 'EADDRINUSE') {
    console.error(`failed to start: port ${err.port} is already in use. Stop the other process (an earlier npm start?) or choose other ports, e.g. AUTH_PORT=9100 MCP_PORT=9101 API_PORT=9102 HOST_PORT=9103 npm start`);
  } else {
    console.error('failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
