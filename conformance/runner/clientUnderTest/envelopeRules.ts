import { apiVersionFor, verifyEnvelope } from '../../../protocol/envelope/index.ts';
import { certificateThumbprint } from '../../../protocol/identity/certificateIdentity.ts';
import { CRITICAL_MEMBERS, ENVELOPE_ALGORITHMS, SIGNATURE_HEADER, type ApiVersion } from '../../../schemas/envelope.ts';
import type { RecordedRequest } from './recordingProxy.ts';

/** The envelope rules a client's requests are held to (schemas/envelope.ts; seed R4, R5). */
export type EnvelopeRule = 'signature' | 'audience' | 'binding' | 'crit' | 'fresh' | 'sequence' | 'message-id';
export const ENVELOPE_RULES: readonly EnvelopeRule[] = ['signature', 'audience', 'binding', 'crit', 'fresh', 'sequence', 'message-id'];

/** How far `iat` may be from the moment the request arrived: the reference gateway's tolerance. */
export const ISSUED_AT_TOLERANCE_SECONDS = 120;

interface Header {
  alg?: unknown;
  crit?: unknown;
  aud?: unknown;
  jti?: unknown;
  seq?: unknown;
  iat?: unknown;
  ver?: unknown;
  htm?: unknown;
  htu?: unknown;
}

/** The protected header as sent, decoded without judging it (each rule judges its own members). */
export function protectedHeaderOf(request: RecordedRequest): Header | undefined {
  const jws = request.headers[SIGNATURE_HEADER];
  const match = typeof jws === 'string' ? /^([A-Za-z0-9_-]+)\.\.[A-Za-z0-9_-]+$/.exec(jws.trim()) : null;
  if (!match) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' && !Array.isArray(header) ? (header as Header) : undefined;
  } catch {
    return undefined;
  }
}

const isApiVersion = (value: unknown): value is ApiVersion => typeof value === 'string' && value in ENVELOPE_ALGORITHMS;

function expectedVersion(path: string): string {
  try {
    return apiVersionFor(path.split('?')[0]!);
  } catch {
    return 'none';
  }
}

/**
 * Every way the requests of one invocation break the rules asked for,
 * given the requests the same party sent earlier in the run: the
 * signature verifies over the exact body with the TLS certificate's key,
 * the audience is the gateway, method, path with query and API version are
 * those of the request, `crit` lists every envelope member, `iat` is the
 * time of sending, sequence numbers rise across invocations, and a message
 * id is used again only to retry a request whose answer was lost.
 */
export async function envelopeViolations(
  requests: readonly RecordedRequest[],
  earlier: readonly RecordedRequest[],
  rules: readonly EnvelopeRule[],
  gateway: string,
): Promise<string[]> {
  const found: string[] = [];
  const seen = [...earlier];
  for (const [index, request] of requests.entries()) {
    const label = `request ${index + 1} (${request.method} ${request.path})`;
    const header = protectedHeaderOf(request);
    if (!header) {
      found.push(`${label}: no detached JWS in ${SIGNATURE_HEADER}`);
      seen.push(request);
      continue;
    }
    const broken = (rule: EnvelopeRule, text: string) => rules.includes(rule) && found.push(`${label}: ${text}`);
    if (rules.includes('signature')) {
      if (!isApiVersion(header.ver)) broken('signature', `ver ${JSON.stringify(header.ver)} is no API version a signature may name`);
      else {
        try {
          await verifyEnvelope(String(request.headers[SIGNATURE_HEADER]), request.body, {
            issuer: request.party,
            audience: String(header.aud),
            method: String(header.htm),
            path: String(header.htu),
            apiVersion: header.ver,
            certificate: { thumbprint: certificateThumbprint(request.certificate), chain: [request.certificate] },
            kind: 'request',
          });
        } catch (error) {
          broken('signature', `the signature does not hold: ${(error as Error).message}`);
        }
      }
    }
    if (header.aud !== gateway) broken('audience', `aud is ${JSON.stringify(header.aud)}, not the gateway ${gateway}`);
    if (header.htm !== request.method || header.htu !== request.path) {
      broken('binding', `signed for ${JSON.stringify(header.htm)} ${JSON.stringify(header.htu)}, sent as ${request.method} ${request.path}`);
    }
    if (header.ver !== expectedVersion(request.path))
      broken('binding', `ver is ${JSON.stringify(header.ver)}, the path's API version is ${expectedVersion(request.path)}`);
    const crit = Array.isArray(header.crit) ? header.crit : [];
    const missing = CRITICAL_MEMBERS.filter((member) => !crit.includes(member) || !(member in header));
    if (missing.length) broken('crit', `crit does not list (or the header does not carry) ${missing.join(', ')}`);
    const sentAt = Math.floor(request.receivedAt / 1000);
    if (typeof header.iat !== 'number' || Math.abs(header.iat - sentAt) > ISSUED_AT_TOLERANCE_SECONDS) {
      broken('fresh', `iat ${JSON.stringify(header.iat)} is more than ${ISSUED_AT_TOLERANCE_SECONDS} s from the time it arrived (${sentAt})`);
    }
    const first = seen.find((other) => protectedHeaderOf(other)?.jti === header.jti);
    if (first) {
      const retry = first.delivered === 'dropped' || first.error !== undefined;
      const same = first.method === request.method && first.path === request.path && first.body.equals(request.body);
      if (!retry) broken('message-id', `message id ${String(header.jti)} was used before, for a request that was answered`);
      else if (!same) broken('message-id', `message id ${String(header.jti)} was used before for another request: a retry must send the same one`);
    } else if (typeof header.seq !== 'string' || !/^[1-9][0-9]{0,15}$/.test(header.seq)) {
      broken('sequence', `seq ${JSON.stringify(header.seq)} is not a decimal sequence number`);
    } else {
      const highest = seen.reduce((max, other) => {
        const seq = protectedHeaderOf(other)?.seq;
        return typeof seq === 'string' && /^[0-9]{1,16}$/.test(seq) && BigInt(seq) > max ? BigInt(seq) : max;
      }, 0n);
      if (BigInt(header.seq) <= highest) broken('sequence', `seq ${header.seq} is not above ${highest}, the highest this party sent before`);
    }
    seen.push(request);
  }
  return found;
}
