// API keys: `Authorization: Bearer <key>`. Each key has a name (recorded as the actor on
// every decision made with it) and one role. Only a SHA-256 digest of a key is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { findLiveApiKey, registerApiKey, type ApiRole } from '../db/queries/access.js';
import { DomainError } from './errors.js';
import { problemExample, problemResponses } from './openapi.js';

export const API_ROLES = ['service', 'finance', 'operator'] as const satisfies readonly ApiRole[];
export type { ApiRole };

export interface Actor {
  keyId: string;
  /** The key's name: who did it, in the audit trail. */
  name: string;
  role: ApiRole;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; every route behind authentication must name them. */
    roles?: readonly ApiRole[];
  }
  interface FastifyRequest {
    actor: Actor;
  }
}

const KEY_PREFIX = 'o2c_';

/** A new key: 32 random bytes, so a plain digest is as strong as a slow hash would be. */
export function generateApiKey(): { id: string; secret: string } {
  return { id: `key_${randomBytes(6).toString('hex')}`, secret: `${KEY_PREFIX}${randomBytes(32).toString('base64url')}` };
}

export function digestApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A secret long and random enough to be a key: keeps weak bootstrap keys out. */
export function isStrongApiKey(secret: string): boolean {
  return /^[A-Za-z0-9_\-]{32,200}$/.test(secret);
}

/** Creates a key and stores its digest; the secret is returned once and never kept. */
export async function issueApiKey(db: Db, name: string, role: ApiRole): Promise<{ id: string; name: string; role: ApiRole; secret: string }> {
  const { id, secret } = generateApiKey();
  await registerApiKey(db, { id, name, role, secretSha256: digestApiKey(secret) });
  return { id, name, role, secret };
}

/**
 * Registers a key whose secret the operator chose (`name:role:secret`, from an environment
 * variable), so a new installation has a first key. Registering it again changes nothing.
 */
export async function registerBootstrapKey(db: Db, spec: string): Promise<{ created: boolean; name: string; role: ApiRole }> {
  const [name, role, secret, ...rest] = spec.split(':');
  if (!name || !role || !secret || rest.length > 0) throw new Error('expected name:role:secret');
  if (!(API_ROLES as readonly string[]).includes(role)) throw new Error(`role must be one of ${API_ROLES.join(', ')}`);
  if (!isStrongApiKey(secret)) throw new Error('the secret must be 32 to 200 letters, digits, "_" or "-"');
  const digest = digestApiKey(secret);
  const { created } = await registerApiKey(db, {
    id: `key_${digest.slice(0, 12)}`,
    name,
    role: role as ApiRole,
    secretSha256: digest,
  });
  if (!created) {
    // The secret is known: it must be this very key, still live, or start-up says why not.
    const existing = await findLiveApiKey(db, digest);
    if (!existing) throw new Error(`the bootstrap key "${name}" was revoked; remove it from the environment`);
    if (existing.name !== name || existing.role !== role) {
      throw new Error(`the bootstrap secret is already registered as "${existing.name}" (${existing.role})`);
    }
  }
  return { created, name, role: role as ApiRole };
}

/**
 * The route's documentation says it needs a key, which roles may use it (`x-roles`, for tools),
 * and what the two refusals look like. A GET route's HEAD twin shares its schema: once is enough.
 */
function documentKeyRequirement(routeSchema: object, roles: readonly ApiRole[]): void {
  const schema = routeSchema as { security?: unknown; description?: string; 'x-roles'?: readonly ApiRole[]; response?: Record<number, unknown> };
  if (schema['x-roles']) return;
  schema['x-roles'] = roles;
  schema.security = [{ apiKey: [] }];
  const line = `Roles: ${roles.join(', ')}.`;
  schema.description = schema.description ? `${schema.description}\n\n${line}` : line;
  const refused = API_ROLES.find((role) => !roles.includes(role));
  schema.response = {
    ...schema.response,
    ...problemResponses({
      401: {
        examples: {
          UNAUTHORIZED: problemExample('No key', 'UNAUTHORIZED', 'An API key is required: send "Authorization: Bearer <key>".'),
          revoked: problemExample('An unknown or revoked key', 'UNAUTHORIZED', 'The API key is unknown or revoked.'),
        },
      },
      403: refused
        ? {
            examples: {
              FORBIDDEN: problemExample(
                `A ${refused} key`,
                'FORBIDDEN',
                `Key "dev-${refused}" has role ${refused}; this needs ${roles.join(' or ')}.`,
              ),
            },
          }
        : {
            description: "`FORBIDDEN`: the key's role may not use this route. Every role may use this one, so no key is refused today.",
            examples: {
              FORBIDDEN: problemExample(
                'The form of the refusal (no key gets it here today)',
                'FORBIDDEN',
                `Key "<name>" has role <role>; this needs ${roles.join(' or ')}.`,
              ),
            },
          },
    }),
  };
}

export interface AuthOptions {
  db: Db;
  /** How long a looked-up key is trusted before it is read again (revocation delay). */
  cacheMs?: number;
}

/**
 * Requires a valid key with a permitted role on every route registered in `scope`
 * afterwards. A route that names no roles is refused at start-up, so none is left open
 * by mistake.
 */
export function requireApiKeys(scope: FastifyInstance, options: AuthOptions): void {
  const cacheMs = options.cacheMs ?? 10_000;
  const cache = new Map<string, { actor: Actor; until: number }>();

  scope.addHook('onRoute', (route) => {
    if (!route.config?.roles || route.config.roles.length === 0) {
      throw new Error(`route ${route.method} ${route.url} names no roles`);
    }
    documentKeyRequirement(route.schema ??= {}, route.config.roles);
  });

  scope.decorateRequest('actor', null as unknown as Actor);
  scope.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      reply.header('www-authenticate', 'Bearer');
      throw new DomainError('UNAUTHORIZED', 'An API key is required: send "Authorization: Bearer <key>".');
    }
    const digest = digestApiKey(match[1]!);
    const now = Date.now();
    let actor = cache.get(digest);
    if (!actor || actor.until < now) {
      const key = await findLiveApiKey(options.db, digest);
      if (!key) {
        cache.delete(digest);
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw new DomainError('UNAUTHORIZED', 'The API key is unknown or revoked.');
      }
      actor = { actor: { keyId: key.id, name: key.name, role: key.role }, until: now + cacheMs };
      cache.set(digest, actor);
    }
    const allowed = request.routeOptions.config.roles ?? [];
    if (!allowed.includes(actor.actor.role)) {
      throw new DomainError(
        'FORBIDDEN',
        `Key "${actor.actor.name}" has role ${actor.actor.role}; this needs ${allowed.join(' or ')}.`,
      );
    }
    request.actor = actor.actor;
    // Every log line of the request names who made it.
    request.log = request.log.child({ actor: actor.actor.name, role: actor.actor.role });
    reply.log = request.log;
  });
}
