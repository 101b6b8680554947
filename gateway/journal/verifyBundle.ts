import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { certificateThumbprint, partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { normaliseSerial } from '../../protocol/identity/serialNumber.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import type { ApiVersion, EnvelopeHeader } from '../../schemas/envelope.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { Problem } from '../../protocol/problem.ts';
import { apiVersionFor, readEnvelopeHeader, sha256Base64url, verifyEnvelope } from '../../protocol/envelope/index.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { decodeUtf8, parseJson } from '../../protocol/safeJson.ts';
import { BundleEntry, BundleHeader, BundleManifest } from '../../schemas/journalBundle.ts';
import type { Finding, FindingCode } from './bundleFindings.ts';
import { bundleLines } from './bundleLines.ts';
import { certificatePathFailure } from './certificatePath.ts';
import { manifestSignatureFailure } from './manifestSignature.ts';
import { revocationIndex, type RevocationIndex } from './revocations.ts';
import { slideWindow, type ReplayWindow } from '../trust/replayWindow.ts';

export interface BundleVerifyOptions {
  /** The root CA(s) the gateway's and the senders' certificates must chain to. */
  trustedRoots: readonly X509Certificate[];
  /** Report entries without a signature (journalled before the trust layer) without failing on them. */
  allowUnsigned?: boolean;
}

export interface BrokenLine {
  line: number;
  /** The journal entry's id, when the line is an entry that still parses. */
  journalId: string | null;
  failures: Finding[];
}

/** Signed entries of one issuer to one audience (unsigned ones under their journalled sender, audience null). */
export interface IssuerSummary {
  issuer: string;
  audience: string | null;
  entries: number;
  unsigned: number;
  /** Entries that failed their own checks (line hashes are compared later, against the manifest). */
  broken: number;
  firstSequence: string | null;
  lastSequence: string | null;
  firstIssuedAt: string | null;
  lastIssuedAt: string | null;
}

export interface BundleVerification {
  ok: boolean;
  gateway: string | null;
  exportedAt: string | null;
  lines: number;
  entriesChecked: number;
  unsignedEntries: number;
  /** The earliest line that failed a check, or null when the bundle verifies. */
  firstBroken: BrokenLine | null;
  /** Every line that failed, in order. */
  broken: BrokenLine[];
  issuers: IssuerSummary[];
}

/** The root CA certificates in a PEM file's text. */
export function trustedRootsFromPem(pem: string): X509Certificate[] {
  const roots = splitPemCertificates(pem).map((block) => new X509Certificate(block));
  if (roots.length === 0) throw new Error('The trusted root file holds no PEM certificate');
  return roots;
}

const validateHeader = compileValidator(BundleHeader);
const validateEntry = compileValidator(BundleEntry);
const validateManifest = compileValidator(BundleManifest);

interface GatewayCertificate {
  key: KeyObject;
  thumbprint: string;
  trusted: boolean;
}

/**
 * Re-verifies a journal bundle with nothing but the trusted root: the
 * manifest's signature by a gateway certificate from that root and every
 * line's hash against it (deletion, insertion, reordering, any changed
 * byte); then each entry on its own: the sender's chain at the signing
 * time, the signature over the body bytes as journalled, the body hash, the
 * journalled sender and verification record; and the sequence of each
 * issuer towards each audience, strictly increasing in journal order (gaps
 * are legal: reads and refused messages consume numbers too).
 */
export async function verifyJournalBundle(source: AsyncIterable<Uint8Array> | Uint8Array, options: BundleVerifyOptions): Promise<BundleVerification> {
  const check = new BundleCheck(options);
  for await (const { number, bytes, terminated } of bundleLines(source)) {
    await check.line(number, bytes);
    if (!terminated) check.fail(number, 'bundle.malformed-line', 'the last line does not end with a line feed');
  }
  return check.finish();
}

class BundleCheck {
  private readonly failures = new Map<number, Finding[]>();
  private readonly journalIds = new Map<number, string>();
  private readonly lineSha256: string[] = [];
  private readonly issuers = new Map<string, IssuerSummary>();
  private readonly sequenceWindows = new Map<string, { window: ReplayWindow; line: number }>();
  private readonly messageIds = new Map<string, number>();
  private header: BundleHeader | undefined;
  private gateway: GatewayCertificate | undefined;
  private revocations: Promise<RevocationIndex> | undefined;
  private manifestLine: number | undefined;
  private lastJournalSeq = 0;
  private lines = 0;
  private entries = 0;
  private unsigned = 0;

  constructor(private readonly options: BundleVerifyOptions) {}

  fail(line: number, code: FindingCode, detail: string): void {
    this.failures.set(line, [...(this.failures.get(line) ?? []), { code, detail }]);
  }

  /** Checks one line; whatever a tampered line makes throw is a finding on that line. */
  async line(number: number, bytes: Buffer): Promise<void> {
    this.lines = number;
    try {
      await this.checkLine(number, bytes);
    } catch (error) {
      this.fail(number, 'bundle.malformed-line', `the line could not be checked: ${(error as Error).message}`);
    }
  }

  private async checkLine(number: number, bytes: Buffer): Promise<void> {
    if (this.manifestLine !== undefined) {
      this.fail(number, 'bundle.line-after-manifest', `line ${this.manifestLine} was the manifest`);
      return;
    }
    let text: string;
    let value: unknown;
    try {
      text = decodeUtf8(bytes);
      value = parseJson(text);
    } catch (error) {
      this.lineSha256.push(sha256Base64url(bytes));
      this.fail(number, number === 1 ? 'bundle.header-missing' : 'bundle.malformed-line', (error as Error).message);
      return;
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (number > 1 && type === 'manifest') {
      this.manifestLine = number;
      await this.checkManifest(number, text, value);
      return;
    }
    this.lineSha256.push(sha256Base64url(bytes));
    if (number === 1) this.checkHeader(value);
    else if (type === 'entry') await this.checkEntry(number, value);
    else this.fail(number, 'bundle.malformed-line', `a line of type ${JSON.stringify(type)} where an entry or the manifest belongs`);
  }

  finish(): BundleVerification {
    if (this.manifestLine === undefined) this.fail(this.lines + 1, 'bundle.manifest-missing', 'the bundle ends without a manifest line');
    const broken = [...this.failures.entries()]
      .sort(([a], [b]) => a - b)
      .map(([line, failures]) => ({ line, journalId: this.journalIds.get(line) ?? null, failures }));
    return {
      ok: broken.length === 0,
      gateway: this.header?.gateway ?? null,
      exportedAt: this.header?.exportedAt ?? null,
      lines: this.lines,
      entriesChecked: this.entries,
      unsignedEntries: this.unsigned,
      firstBroken: broken[0] ?? null,
      broken,
      issuers: [...this.issuers.values()],
    };
  }

  private checkHeader(value: unknown): void {
    const header = this.validated(1, validateHeader, value, 'bundle.header-missing');
    if (!header) return;
    this.header = header;
    const exportedAt = new Date(header.exportedAt);
    const untrusted = certificatePathFailure(header.certificateChain, this.options.trustedRoots, exportedAt);
    if (untrusted) this.fail(1, 'bundle.gateway-untrusted', untrusted);
    // The CRLs count only when signed by a trusted root or a CA of the gateway's (checked) chain.
    const authorities = [...this.options.trustedRoots, ...header.certificateChain.slice(1).flatMap((pem) => parsedCertificate(pem) ?? [])];
    this.revocations = revocationIndex(header.revocationLists, untrusted ? this.options.trustedRoots : authorities).then((index) => {
      for (const failure of index.failures) this.fail(1, 'bundle.revocation-list-untrusted', failure);
      return index;
    });
    const leaf = parsedCertificate(header.certificateChain[0]);
    if (!leaf) {
      this.fail(1, 'bundle.gateway-untrusted', 'the gateway certificate or its public key does not decode');
      return;
    }
    const party = partyFromCertificate(leaf)?.urn;
    if (party !== header.gateway)
      this.fail(1, 'bundle.gateway-untrusted', `the gateway certificate names ${party ?? 'no party'}, the header ${header.gateway}`);
    this.gateway = { key: leaf.publicKey, thumbprint: certificateThumbprint(leaf), trusted: !untrusted && party === header.gateway };
  }

  private async checkManifest(line: number, text: string, value: unknown): Promise<void> {
    const manifest = this.validated(line, validateManifest, value, 'bundle.malformed-line');
    if (!manifest) return;
    // Only the canonical form is signed; any other spelling of the same JSON is a changed line.
    if (canonicalJson(manifest) !== text) this.fail(line, 'bundle.malformed-line', 'the manifest is not in canonical JSON form');
    const { signature, ...signed } = manifest;
    if (this.header && (manifest.gateway !== this.header.gateway || manifest.exportedAt !== this.header.exportedAt)) {
      this.fail(
        line,
        'bundle.manifest-header-mismatch',
        `the manifest is by ${manifest.gateway} at ${manifest.exportedAt}, the header says ${this.header.gateway} at ${this.header.exportedAt}`,
      );
    }
    const failure = this.gateway
      ? await manifestSignatureFailure(signature, Buffer.from(canonicalJson(signed)), this.gateway.key, this.gateway.thumbprint)
      : 'there is no gateway certificate to verify it with';
    if (failure) this.fail(line, 'bundle.manifest-signature', failure);
    // An unsigned or untrusted manifest proves nothing about the other lines: their own checks still run.
    if (failure || !this.gateway?.trusted) return;
    const listed = manifest.lineSha256;
    for (const [index, sha256] of this.lineSha256.entries()) {
      const expected = listed[index];
      if (expected === undefined) this.fail(index + 1, 'bundle.line-not-in-manifest', `the manifest lists ${listed.length} lines before itself`);
      else if (expected !== sha256) {
        const elsewhere = listed.indexOf(sha256);
        if (elsewhere === -1) this.fail(index + 1, 'bundle.line-altered', `SHA-256 ${sha256}, the manifest lists ${expected}`);
        else this.fail(index + 1, 'bundle.line-out-of-place', `the manifest lists this line as line ${elsewhere + 1}`);
      }
    }
    if (listed.length > this.lineSha256.length) {
      this.fail(line, 'bundle.lines-missing', `the manifest lists ${listed.length} lines before itself, the bundle holds ${this.lineSha256.length}`);
    }
  }

  private async checkEntry(line: number, value: unknown): Promise<void> {
    const id = (value as { id?: unknown }).id;
    if (typeof id === 'string') this.journalIds.set(line, id);
    const entry = this.validated(line, validateEntry, value, 'bundle.malformed-line');
    if (!entry) return;
    this.entries++;
    if (entry.journalSeq <= this.lastJournalSeq) this.fail(line, 'bundle.journal-order', `journal position ${entry.journalSeq} follows ${this.lastJournalSeq}`);
    this.lastJournalSeq = Math.max(this.lastJournalSeq, entry.journalSeq);
    const body = Buffer.from(entry.body, 'base64');
    if (body.toString('base64') !== entry.body) this.fail(line, 'bundle.malformed-line', 'the body is not canonical base64');
    const bodySha256 = createHash('sha256').update(body).digest('hex');
    if (bodySha256 !== entry.sha256) this.fail(line, 'bundle.body-hash-mismatch', `the body's SHA-256 is ${bodySha256}, the journal recorded ${entry.sha256}`);

    if (entry.jws === null) {
      this.unsigned++;
      this.summary(entry.sender ?? 'unknown', null).unsigned++;
      if (!this.options.allowUnsigned)
        this.fail(line, 'bundle.entry-unsigned', 'journalled without a signature (verify with --allow-unsigned to accept such entries)');
      return;
    }
    let header: EnvelopeHeader;
    try {
      header = readEnvelopeHeader(entry.jws).header;
    } catch (error) {
      this.fail(line, error instanceof Problem ? error.code : 'envelope.malformed', (error as Error).message);
      return;
    }
    await this.checkSignature(line, entry, body, header);
    this.checkRecord(line, entry, header);
    this.checkSequence(line, header);
    const summary = this.summary(header.iss, header.aud);
    summary.entries++;
    if (this.failures.has(line)) summary.broken++;
    const issuedAt = new Date(header.iat * 1000).toISOString();
    summary.firstSequence ??= header.seq;
    summary.firstIssuedAt ??= issuedAt;
    summary.lastSequence = header.seq;
    summary.lastIssuedAt = issuedAt;
  }

  /** The sender's chain and party at the signing time, then the envelope as the gateway checked it on receipt. */
  private async checkSignature(line: number, entry: BundleEntry, body: Buffer, header: EnvelopeHeader): Promise<void> {
    const signedAt = new Date(header.iat * 1000);
    const untrusted = certificatePathFailure(entry.certificateChain, this.options.trustedRoots, signedAt);
    if (untrusted) this.fail(line, 'bundle.certificate-untrusted', untrusted);
    const leaf = parsedCertificate(entry.certificateChain[0]);
    const revokedAt = leaf ? (await this.revocations)?.revokedAt.get(normaliseSerial(leaf.serialNumber) ?? '') : undefined;
    // A signature made before the revocation stays valid: that is what an enduring signature is for.
    if (revokedAt && revokedAt < signedAt) {
      this.fail(
        line,
        'bundle.certificate-revoked',
        `signed at ${signedAt.toISOString()} with certificate ${leaf!.serialNumber}, revoked at ${revokedAt.toISOString()}`,
      );
    }
    const party = leaf ? partyFromCertificate(leaf)?.urn : undefined;
    if (!party) this.fail(line, 'bundle.certificate-no-party', 'the first certificate of the chain names no flexgate party');
    if (entry.sender !== header.iss) this.fail(line, 'bundle.sender-mismatch', `journalled as from ${entry.sender ?? 'nobody'}, signed by ${header.iss}`);
    let apiVersion: ApiVersion;
    try {
      apiVersion = apiVersionFor(entry.path);
    } catch (error) {
      this.fail(line, 'envelope.request-mismatch', (error as Error).message);
      return;
    }
    try {
      await verifyEnvelope(entry.jws ?? undefined, body, {
        issuer: party ?? '',
        audience: this.header?.gateway ?? '',
        method: entry.method,
        path: entry.path,
        apiVersion,
        certificate: { thumbprint: leaf ? certificateThumbprint(leaf) : '', chain: entry.certificateChain },
        now: signedAt,
      });
    } catch (error) {
      this.fail(line, error instanceof Problem ? error.code : 'envelope.malformed', (error as Error).message);
    }
  }

  private checkRecord(line: number, entry: BundleEntry, header: EnvelopeHeader): void {
    const record = entry.verification;
    const signed = {
      alg: header.alg,
      issuer: header.iss,
      audience: header.aud,
      messageId: header.jti,
      sequence: header.seq,
      issuedAt: header.iat,
      schemaVersion: header.ver,
    };
    const differing = Object.entries(signed)
      .filter(([member, expected]) => record?.[member as keyof typeof signed] !== expected)
      .map(([member]) => member);
    if (!record) this.fail(line, 'bundle.verification-record-mismatch', 'a signed entry without a verification record');
    else if (differing.length > 0) this.fail(line, 'bundle.verification-record-mismatch', `the record differs from the signature in ${differing.join(', ')}`);
  }

  private checkSequence(line: number, header: EnvelopeHeader): void {
    // The gateway's rule (gateway/trust/replayWindow.ts): requests in flight commit in any order, none with a number twice.
    const key = `${header.iss} ${header.aud}`;
    const sequence = BigInt(header.seq);
    const previous = this.sequenceWindows.get(key) ?? { window: { highest: 0n, seen: 0n }, line };
    const verdict = slideWindow(previous.window, sequence);
    if ('refused' in verdict) {
      this.fail(
        line,
        'bundle.sequence-not-increasing',
        `${header.iss} to ${header.aud}: sequence ${sequence} ${verdict.refused === 'seen' ? 'was used before' : `is below the window ending at ${previous.window.highest} (line ${previous.line})`}`,
      );
    } else {
      this.sequenceWindows.set(key, { window: verdict.accepted, line: verdict.accepted.highest === sequence ? line : previous.line });
    }
    const messageKey = `${header.iss} ${header.jti}`;
    const earlier = this.messageIds.get(messageKey);
    if (earlier !== undefined) this.fail(line, 'bundle.message-id-repeated', `${header.iss} used message id ${header.jti} on line ${earlier}`);
    else this.messageIds.set(messageKey, line);
  }

  private summary(issuer: string, audience: string | null): IssuerSummary {
    const key = `${issuer} ${audience ?? ''}`;
    let summary = this.issuers.get(key);
    if (!summary) {
      summary = { issuer, audience, entries: 0, unsigned: 0, broken: 0, firstSequence: null, lastSequence: null, firstIssuedAt: null, lastIssuedAt: null };
      this.issuers.set(key, summary);
    }
    return summary;
  }

  /** The value if it has the line's shape, else a finding with the first violations. */
  private validated<T>(line: number, validate: (value: unknown) => T, value: unknown, code: FindingCode): T | undefined {
    try {
      return validate(value);
    } catch (error) {
      const items = error instanceof Problem ? error.items.slice(0, 3).map((item) => item.detail) : [(error as Error).message];
      this.fail(line, code, items.join('; '));
      return undefined;
    }
  }
}

/** The certificate, if it parses and its public key decodes. */
function parsedCertificate(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    const certificate = new X509Certificate(pem);
    void certificate.publicKey; // decoded now, so a mangled key is refused here rather than where it is used
    return certificate;
  } catch {
    return undefined;
  }
}
