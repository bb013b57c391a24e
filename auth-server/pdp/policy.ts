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

export function watchAccessPolicy(file: string) {
  let loaded: { mtimeMs: number; policy: AccessPolicy } | undefined;
  return function current(): AccessPolicy {
    const { mtimeMs } = fs.statSync(file);
    if (!loaded || loaded.mtimeMs !== mtimeMs) loaded = { mtimeMs, policy: JSON.parse(fs.readFileSync(file, 'utf8')) };
    return loaded.policy;
  };
}
