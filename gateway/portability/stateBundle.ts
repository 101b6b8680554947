import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FlattenedSign, flattenedVerify } from 'jose';
import { listCertificates } from '../../certs/index.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { envelopeAlgorithmOf } from '../../protocol/envelope/index.ts';
import type { RegistrySnapshot } from '../../schemas/registry/registry.ts';
import { certificatePathFailure } from '../journal/certificatePath.ts';
import type { GatewaySigningIdentity } from '../journal/gatewaySigner.ts';
import { COLUMNS, fromRow } from '../openadr/objectTable.ts';
import { grantRows, subscriptionCallbackRows } from '../openadr/indexTables.ts';
import { readRegistry, replaceRegistry } from '../registry/registryRecords.ts';
import type { SettlementLineTable } from '../settlement/tables.ts';
import type { Store } from '../store/store.ts';

export const BUNDLE_FORMAT = 'flexgate-state-bundle';
export const BUNDLE_VERSION = 1;
const SIGNATURE_TYPE = 'flexgate-state-bundle+jws';

/** The OpenADR objects an FSP set up (not dispatch history): programs, VENs, resources, subscriptions. */
const CARRIED_OBJECT_TYPES = ['PROGRAM', 'VEN', 'RESOURCE', 'SUBSCRIPTION'] as const;

type ObjectRow = { [K in (typeof COLUMNS)[number]]: unknown } & { created_at: string; modified_at: string };

export interface StateContents {
  registry: RegistrySnapshot;
  openadrObjects: ObjectRow[];
  /** Client ids only: secrets stay behind (the importing side rotates them, `POST /admin/v1/openadr/clients`). */
  openadrClients: Array<{ clientId: string; createdAt: string }>;
  certificates: Array<{ serial: string; urn: string; status: string; pem: string }>;
  settlementLines: SettlementLineTable[];
}

/** One versioned, signed bundle of an instance's state; `signature` covers the canonical JSON of everything else. */
export interface StateBundle {
  format: typeof BUNDLE_FORMAT;
  version: number;
  exportedAt: string;
  issuer: string;
  certificateChain: string[];
  contents: StateContents;
  signature: string;
}

async function pkiCertificates(pkiDir: string | undefined) {
  if (!pkiDir) return [];
  const listed = await listCertificates(pkiDir);
  return Promise.all(listed.map(async (c) => ({ serial: c.serial, urn: c.urn, status: c.status, pem: await readFile(c.certificatePath, 'utf8') })));
}

/** What the bundle carries, read in one transaction, every list in a fixed order so both backends give the same bytes. */
export async function readState(store: Store, pkiDir?: string): Promise<StateContents> {
  return store.transaction(async (tx) => {
    const objects = await tx
      .selectFrom('openadr_objects')
      .select([...COLUMNS, 'created_at', 'modified_at'])
      .where('object_type', 'in', [...CARRIED_OBJECT_TYPES])
      .orderBy('object_type')
      .orderBy('id')
      .execute();
    const clients = await tx.selectFrom('openadr_clients').select(['client_id', 'created_at']).orderBy('client_id').execute();
    const imported = await tx.selectFrom('portability_certificates').selectAll().execute();
    const certificates = new Map([...imported, ...(await pkiCertificates(pkiDir))].map((c) => [c.serial, c]));
    const lines = await tx.selectFrom('settlement_lines').selectAll().orderBy('event_id').orderBy('event_revision').orderBy('start').execute();
    return {
      registry: await readRegistry(tx),
      openadrObjects: objects.map(({ seq: _seq, ...row }) => ({ ...row, version: Number(row.version) }) as unknown as ObjectRow),
      openadrClients: clients.map((c) => ({ clientId: c.client_id, createdAt: c.created_at })),
      certificates: [...certificates.values()].sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0)),
      settlementLines: lines.map((l) => ({ ...l, event_revision: Number(l.event_revision) })),
    };
  });
}

const signedPart = ({ signature: _signature, ...rest }: StateBundle) => Buffer.from(canonicalJson(rest));

export async function exportStateBundle(store: Store, identity: GatewaySigningIdentity, pkiDir?: string, now = new Date()): Promise<StateBundle> {
  const unsigned: StateBundle = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: now.toISOString(),
    issuer: identity.signer.issuer,
    certificateChain: identity.certificateChain,
    contents: await readState(store, pkiDir),
    signature: '',
  };
  const { signer } = identity;
  const jws = await new FlattenedSign(signedPart(unsigned))
    .setProtectedHeader({ alg: envelopeAlgorithmOf(signer.key), typ: SIGNATURE_TYPE, kid: signer.certificateThumbprint, b64: false, crit: ['b64'] })
    .sign(signer.key);
  return { ...unsigned, signature: `${jws.protected}..${jws.signature}` };
}

/** The bundle as written to a file: canonical JSON, so two exports of the same state differ only in `exportedAt` and the signature. */
export const serialiseBundle = (bundle: StateBundle) => `${canonicalJson(bundle)}\n`;

export class BundleRefused extends FlexgateError {
  readonly code = 'portability.bundle-refused';
}

/** A bundle whose signer does not chain to a CA the importing side trusts (anyone can make a certificate and sign with it). */
export class BundleSignerUntrusted extends FlexgateError {
  readonly code = 'portability.signer-untrusted';
}

/**
 * Checks format and version, that the signing certificate chains to one of
 * `trustedRoots` (valid at the export time), and the signature with that
 * certificate's key. The chain travels in the bundle; trust comes only from
 * the roots the importer brings.
 */
export async function verifyStateBundle(bundle: StateBundle, trustedRoots: readonly X509Certificate[]): Promise<void> {
  if (bundle.format !== BUNDLE_FORMAT) throw new BundleRefused(`Not a ${BUNDLE_FORMAT}`);
  if (bundle.version !== BUNDLE_VERSION) throw new BundleRefused(`Bundle version ${bundle.version}; this flexgate reads version ${BUNDLE_VERSION}`);
  const [protectedPart, , signaturePart] = bundle.signature.split('.');
  const leaf = bundle.certificateChain[0];
  if (!protectedPart || !signaturePart || !leaf) throw new BundleRefused('The bundle is not signed');
  const exportedAt = new Date(bundle.exportedAt);
  if (Number.isNaN(exportedAt.getTime())) throw new BundleRefused(`exportedAt ${bundle.exportedAt} is not an instant`);
  const untrusted = certificatePathFailure(bundle.certificateChain, trustedRoots, exportedAt);
  if (untrusted) throw new BundleSignerUntrusted(`The bundle's signer does not chain to a trusted CA: ${untrusted}`);
  try {
    await flattenedVerify({ protected: protectedPart, signature: signaturePart, payload: signedPart(bundle) }, new X509Certificate(leaf).publicKey, {
      algorithms: ['ES256', 'EdDSA'],
    });
  } catch {
    throw new BundleRefused('The signature does not verify: the bundle was altered or signed by another key');
  }
}

/** Imports a bundle, verified against `trustedRoots`, into an empty instance (either backend), in one transaction. */
export async function importStateBundle(store: Store, bundle: StateBundle, trustedRoots: readonly X509Certificate[]): Promise<void> {
  await verifyStateBundle(bundle, trustedRoots);
  const { contents } = bundle;
  await store.transaction(async (tx) => {
    const existing = await tx.selectFrom('openadr_objects').select('id').limit(1).execute();
    const registry = await readRegistry(tx);
    if (existing.length > 0 || registry.parties.length + registry.assets.length + registry.contracts.length > 0)
      throw new BundleRefused('The instance already holds state; import into an empty one');
    await replaceRegistry(tx, contents.registry);
    for (const row of contents.openadrObjects) {
      await tx
        .insertInto('openadr_objects')
        .values(row as never)
        .execute();
      const object = fromRow({ ...row, seq: 0 } as never);
      const callbacks = subscriptionCallbackRows(object);
      if (callbacks.length > 0) await tx.insertInto('openadr_subscription_callbacks').values(callbacks).execute();
      const grants = grantRows(object);
      if (grants.length > 0) await tx.insertInto('openadr_grants').values(grants).execute();
    }
    // No secret travels: the client exists, and can log in once an administrator rotates its credentials.
    for (const client of contents.openadrClients) {
      await tx.insertInto('openadr_clients').values({ client_id: client.clientId, secret_hash: 'rotate-required', created_at: client.createdAt }).execute();
    }
    for (const certificate of contents.certificates) await tx.insertInto('portability_certificates').values(certificate).execute();
    for (const line of contents.settlementLines) await tx.insertInto('settlement_lines').values(line).execute();
  });
}
