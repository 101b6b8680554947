import { sign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, loadTlsCredentials } from '../../certs/index.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { startTestGateway, temporaryDevPki } from '../testing/testGateway.ts';
import { signEnvelope, signerFromCredentials, verifyEnvelope, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { tenEntryMeritOrderList } from './p1Load.ts';
import type { BenchRow } from './row.ts';

/**
 * Signing and verification rates of the message envelope next to the raw
 * `crypto.sign` / `crypto.verify` rates of the same keys in the same run
 * (the machines are noisy: the ratio is the number that travels), then
 * signed requests end to end over mutual TLS on loopback, bounded in count.
 */

const BODY = Buffer.alloc(4096, 'flexgate merit order list entry\t');

export interface TrustBenchOptions {
  /** Each rate is measured for at least this long. */
  minMs: number;
  /** Signed GETs end to end; half as many POSTs. */
  requests: number;
}

export const FULL_TRUST: TrustBenchOptions = { minMs: 1500, requests: 400 };

/** Operations per second of `operation`, run for at least `minMs`. */
async function rate(minMs: number, operation: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await operation();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    for (let i = 0; i < 50; i++) await operation();
    count += 50;
  }
  return (count * 1000) / (performance.now() - started);
}

async function envelopeRows(minMs: number, alg: 'ES256' | 'EdDSA', signer: EnvelopeSigner, certificatePem: string): Promise<BenchRow[]> {
  const digest = alg === 'ES256' ? 'sha256' : null;
  const publicKey = new X509Certificate(certificatePem).publicKey;
  const rawSignature = sign(digest, BODY, signer.key);
  const rawSign = await rate(minMs, () => sign(digest, BODY, signer.key));
  const rawVerify = await rate(minMs, () => verify(digest, BODY, publicKey, rawSignature));
  let sequence = 1;
  const claims = () => ({
    audience: 'urn:flexgate:gateway:bench',
    sequence: String(sequence++),
    method: 'POST',
    path: '/anm/v1/merit-order-lists',
    apiVersion: 'anm/v1' as const,
  });
  const jws = await signEnvelope(signer, claims(), BODY);
  const expectations = {
    issuer: signer.issuer,
    audience: 'urn:flexgate:gateway:bench',
    method: 'POST',
    path: '/anm/v1/merit-order-lists',
    apiVersion: 'anm/v1' as const,
    certificate: { thumbprint: signer.certificateThumbprint, chain: [certificatePem] },
  };
  const envelopeSign = await rate(minMs, () => signEnvelope(signer, claims(), BODY));
  const envelopeVerify = await rate(minMs, () => verifyEnvelope(jws, BODY, expectations));
  return [
    { group: 'trust', what: `raw crypto.sign ${alg} (4 KiB)`, value: rawSign, unit: 'per s' },
    { group: 'trust', what: `raw crypto.verify ${alg} (4 KiB)`, value: rawVerify, unit: 'per s' },
    { group: 'trust', what: `envelope sign ${alg}`, value: envelopeSign, unit: 'per s', baseline: `raw sign ${alg}`, ratio: envelopeSign / rawSign },
    { group: 'trust', what: `envelope verify ${alg}`, value: envelopeVerify, unit: 'per s', baseline: `raw verify ${alg}`, ratio: envelopeVerify / rawVerify },
  ];
}

async function endToEndRows(pkiDir: string, requests: number, rawVerify: number): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexgate-bench-'));
  // Throughput is the measure here, so the per-party rate limit is lifted.
  const running = await startTestGateway({ dataDir }, { pkiDir, budgets: { requestsPerSecond: 1e9, requestBurst: 1e9 } });
  try {
    const anm = await running.client('urn:flexgate:anm:anm-dev');
    // P1's untraded ten-entry list (like figure 6, it instructs nobody): the benchmark needs nothing beside the repository.
    const mol = tenEntryMeritOrderList();
    const timed = async (count: number, operation: () => Promise<unknown>) => {
      for (let i = 0; i < Math.min(20, count); i++) await operation();
      const started = performance.now();
      // Four in flight: enough to overlap TLS, crypto and the store without queueing on two cores.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < Math.ceil(count / 4); i++) await operation();
        }),
      );
      return (count * 1000) / (performance.now() - started);
    };
    const reads = await timed(requests, () => anm.request('GET', '/anm/v1/merit-order-lists?limit=5'));
    const writes = await timed(Math.ceil(requests / 2), () => anm.request('POST', '/anm/v1/merit-order-lists', { body: mol, contentType: 'application/json' }));
    return [
      {
        group: 'trust',
        what: 'signed GET over mTLS, verified both ways, 4 in flight (SQLite, in process)',
        value: reads,
        unit: 'per s',
        baseline: 'raw verify ES256',
        ratio: reads / rawVerify,
      },
      {
        group: 'trust',
        what: 'signed POST of a 10-entry MOL, journalled, 4 in flight (SQLite, in process)',
        value: writes,
        unit: 'per s',
        baseline: 'raw verify ES256',
        ratio: writes / rawVerify,
      },
    ];
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function trustBench(options: TrustBenchOptions): Promise<BenchRow[]> {
  const pkiDir = await temporaryDevPki();
  await issueCertificate(pkiDir, { role: 'anm', id: 'anm-bench-ed25519', algorithm: 'EdDSA' });
  const rows: BenchRow[] = [];
  for (const [alg, urn] of [
    ['ES256', 'urn:flexgate:anm:anm-dev'],
    ['EdDSA', 'urn:flexgate:anm:anm-bench-ed25519'],
  ] as const) {
    const credentials = await loadTlsCredentials(pkiDir, urn);
    const signer = signerFromCredentials(credentials);
    rows.push(...(await envelopeRows(options.minMs, alg, signer, splitPemCertificates(credentials.cert)[0]!)));
  }
  const rawVerify = rows.find((row) => row.what.startsWith('raw crypto.verify ES256'))!.value;
  rows.push(...(await endToEndRows(pkiDir, options.requests, rawVerify)));
  return rows;
}
