// `npm start` on a database with no API key: one key per role, written to a file only the
// user can read, so the demo and a newcomer's curl work at once. Never used by `npm run api`.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueApiKey, API_ROLES, type ApiRole } from '../../api/auth.js';
import type { Db } from '../../db/client.js';
import { countLiveApiKeys } from '../../db/queries/access.js';

export type DevKeys = Record<ApiRole, { name: string; secret: string }>;

/** Issues the dev keys when the database has no live key; otherwise reads the file, if any. */
export async function ensureDevKeys(db: Db, file: string): Promise<{ created: boolean; keys: DevKeys | null }> {
  if ((await countLiveApiKeys(db)) > 0) return { created: false, keys: readDevKeys(file) };
  const issued = await Promise.all(API_ROLES.map((role) => issueApiKey(db, `dev-${role}`, role)));
  const keys = Object.fromEntries(issued.map((k) => [k.role, { name: k.name, secret: k.secret }])) as DevKeys;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { created: true, keys };
}

export function readDevKeys(file: string): DevKeys | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as DevKeys;
}
