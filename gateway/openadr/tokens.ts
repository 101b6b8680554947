import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { PartyRole } from '../../protocol/identity/partyUrn.ts';
import type { Scope } from '../../schemas/openadr/openapi.ts';
import { Problem } from '../../protocol/problem.ts';
import type { StoreExecutor } from '../store/store.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** VENs (FSPs) act on their own objects; the business logic (DSO, ANM, administrators) runs programs and events. */
const VEN_SCOPES: readonly Scope[] = ['read_targets', 'read_ven_objects', 'write_reports', 'write_subscriptions', 'write_vens'];
const BL_SCOPES: readonly Scope[] = [
  'read_all',
  'read_bl',
  'read_targets',
  'read_ven_objects',
  'write_programs',
  'write_events',
  'write_subscriptions',
  'write_vens',
];

export function scopesOfRole(role: PartyRole): readonly Scope[] {
  if (role === 'fsp') return VEN_SCOPES;
  if (role === 'dso' || role === 'anm' || role === 'admin') return BL_SCOPES;
  return [];
}

/** Who a valid token speaks for. `clientId` is always the party URN of the certificate it is bound to. */
export interface Principal {
  clientId: string;
  role: PartyRole;
  scopes: ReadonlySet<Scope>;
  /** Holds `read_all`: sees every object (the business logic). */
  businessLogic: boolean;
}

const SCRYPT_KEY_BYTES = 32;

async function hashSecret(secret: string, salt: Buffer): Promise<string> {
  return `scrypt:${salt.toString('base64url')}:${(await scryptAsync(secret, salt, SCRYPT_KEY_BYTES)).toString('base64url')}`;
}

/**
 * Creates (or rotates) the client credentials of a party: the client id is
 * its party URN, the secret is random and returned once; only a salted scrypt
 * hash is stored. Run by an administrator (see README, "Client credentials").
 */
export async function provisionClientCredentials(db: StoreExecutor, partyUrn: string, now = new Date()): Promise<{ clientId: string; clientSecret: string }> {
  const clientSecret = randomBytes(32).toString('base64url');
  const secretHash = await hashSecret(clientSecret, randomBytes(16));
  await db
    .insertInto('openadr_clients')
    .values({ client_id: partyUrn, secret_hash: secretHash, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ secret_hash: secretHash, created_at: now.toISOString() }))
    .execute();
  return { clientId: partyUrn, clientSecret };
}

/** True when `secret` is the client's current secret; compared in constant time. */
export async function clientSecretMatches(db: StoreExecutor, clientId: string, secret: string): Promise<boolean> {
  const row = await db.selectFrom('openadr_clients').select('secret_hash').where('client_id', '=', clientId).executeTakeFirst();
  const [, salt = '', expected = ''] = (row?.secret_hash ?? 'scrypt::').split(':');
  // Hash even for an unknown client, so timing does not tell which client ids exist.
  const actual = await hashSecret(secret, Buffer.from(salt, 'base64url'));
  const expectedBytes = Buffer.from(`scrypt:${salt}:${expected}`);
  const actualBytes = Buffer.from(actual);
  return row !== undefined && expectedBytes.length === actualBytes.length && timingSafeEqual(expectedBytes, actualBytes);
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface TokenGrant {
  clientId: string;
  role: PartyRole;
  scopes: readonly Scope[];
  certificateThumbprint: string;
  lifetimeSeconds: number;
  userAgent: string | null;
}

/** An opaque bearer token; the store keeps its hash, bound to the certificate thumbprint (RFC 8705 `x5t#S256`). */
export async function issueToken(db: StoreExecutor, grant: TokenGrant, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  // The client's expired tokens go as it gets a new one, so the table stays bounded without a sweeper.
  await db.deleteFrom('openadr_tokens').where('client_id', '=', grant.clientId).where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('openadr_tokens')
    .values({
      token_sha256: tokenHash(token),
      client_id: grant.clientId,
      role: grant.role,
      scopes: grant.scopes.join(' '),
      certificate_thumbprint: grant.certificateThumbprint,
      issued_at: now.toISOString(),
      expires_at: new Date(now.getTime() + grant.lifetimeSeconds * 1000).toISOString(),
      user_agent: grant.userAgent,
    })
    .execute();
  return token;
}

/**
 * The principal of a bearer token presented over a TLS connection whose
 * client certificate has `thumbprint`. A token is refused when unknown,
 * expired, or bound to another certificate (a stolen token is useless
 * without the private key of the certificate it was issued to).
 */
export async function authenticateToken(db: StoreExecutor, authorization: string | undefined, thumbprint: string, now = new Date()): Promise<Principal> {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
  if (!match) throw new Problem('openadr.token-missing', 'Send Authorization: Bearer <token> from /auth/token');
  const row = await db.selectFrom('openadr_tokens').selectAll().where('token_sha256', '=', tokenHash(match[1]!)).executeTakeFirst();
  if (!row || row.expires_at <= now.toISOString()) throw new Problem('openadr.token-invalid', 'The bearer token is unknown or has expired; fetch a new one');
  const presented = Buffer.from(thumbprint);
  const bound = Buffer.from(row.certificate_thumbprint);
  if (presented.length !== bound.length || !timingSafeEqual(presented, bound)) {
    throw new Problem('openadr.token-certificate-mismatch', 'The bearer token was issued to another client certificate (RFC 8705)');
  }
  const scopes = new Set(row.scopes.split(' ').filter(Boolean) as Scope[]);
  return { clientId: row.client_id, role: row.role as PartyRole, scopes, businessLogic: scopes.has('read_all') };
}
