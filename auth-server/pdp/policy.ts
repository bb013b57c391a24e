// The access policy file, re-read whenever it changes on disk (checked by mtime at each decision).
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../common/paths.js';

export interface ToolRule {
  public?: boolean;
  scopes?: string[];
  min_assurance_level?: number;
  trade?: boolean;
}

export interface AccessPolicy {
  tools: Record<string, ToolRule>;
  trade_thresholds: { currency: string; approval_from: number; deny_above: number };
}

export const defaultAccessPolicyFile = path.join(repoRoot, 'auth-server', 'policies', 'access.json');

const CHECK_EVERY_MS = 500;

export function watchAccessPolicy(file: string, onError: (message: string) => void) {
  let loaded: { mtimeMs: number; policy: AccessPolicy } | undefined;
  let checkedAt = 0;
  return function current(): AccessPolicy {
    // a saved edit takes effect within half a second, without a stat on every decision
    if (loaded && Date.now() - checkedAt < CHECK_EVERY_MS) return loaded.policy;
    checkedAt = Date.now();
    const { mtimeMs } = fs.statSync(file);
    if (!loaded || loaded.mtimeMs !== mtimeMs) {
      try {
        loaded = { mtimeMs, policy: JSON.parse(fs.readFileSync(file, 'utf8')) };
      } catch (err) {
        // a half-saved or broken edit: keep deciding with the last good policy (none yet: refuse)
        if (!loaded) throw err;
        onError(`access policy ${file} is not valid JSON, still using the previous version: ${(err as Error).message}`);
        loaded = { ...loaded, mtimeMs };
      }
    }
    return loaded.policy;
  };
}
