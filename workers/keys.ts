// `npm run keys -- <command>`: API keys on DATABASE_URL.
//   create <name> <service|finance|operator>   prints the new key once; only its digest is kept
//   list                                       names, roles, when created and revoked
//   revoke <name|id>                           the key stops working within the API's cache time
import { API_ROLES, type ApiRole, issueApiKey } from '../api/auth.js';
import { openDatabase } from '../db/client.js';
import { listApiKeys, revokeApiKey } from '../db/queries/access.js';
import { loadEnv, postgresUrl } from './runtime/env.js';

const USAGE = 'usage: npm run keys -- create <name> <service|finance|operator> | list | revoke <name|id>';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const [command, ...args] = process.argv.slice(2);
if (!command || !['create', 'list', 'revoke'].includes(command)) fail(USAGE);

const env = loadEnv({ DATABASE_URL: postgresUrl });
const handle = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL, maxConnections: 1 });
try {
  if (command === 'create') {
    const [name, role] = args;
    if (!name || !role || args.length !== 2) fail(USAGE);
    if (!(API_ROLES as readonly string[]).includes(role)) fail(`role must be one of ${API_ROLES.join(', ')}`);
    try {
      const key = await issueApiKey(handle.db, name, role as ApiRole);
      console.log(`created key ${key.id} "${key.name}" with role ${key.role}; it is shown once:`);
      console.log(key.secret);
    } catch (err) {
      if (/api_keys_live_name_unique/.test(String((err as { cause?: unknown }).cause ?? err))) {
        fail(`a live key named "${name}" exists; revoke it first or pick another name`);
      }
      throw err;
    }
  } else if (command === 'list') {
    for (const k of await listApiKeys(handle.db)) {
      console.log(
        [k.id, k.name, k.role, k.createdAt.toISOString(), k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'live'].join('\t'),
      );
    }
  } else {
    const [nameOrId] = args;
    if (!nameOrId || args.length !== 1) fail(USAGE);
    if (!(await revokeApiKey(handle.db, nameOrId))) fail(`no live key named or with ID "${nameOrId}"`);
    console.log(`revoked ${nameOrId}`);
  }
} finally {
  await handle.close();
}
