import { CRITICAL_MEMBERS, EnvelopeHeader, MAX_SEQUENCE, RECEIPT_MEMBER, STATUS_MEMBER } from '../../schemas/envelope.ts';
import { compileValidator } from '../jsonSchema.ts';
import { Problem } from '../problem.ts';
import { parseJson } from '../safeJson.ts';

const UNDERSTOOD = new Set<string>([...CRITICAL_MEMBERS, STATUS_MEMBER, RECEIPT_MEMBER]);
const MAX_SIGNATURE_HEADER = 64 * 1024;
const DETACHED = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;
const validateHeader = compileValidator(EnvelopeHeader);

export interface EnvelopeParts {
  header: EnvelopeHeader;
  protectedPart: string;
  signature: string;
}

/** The protected header of a detached compact JWS, decoded and checked for shape but not verified: enough to pick the key. */
export function readEnvelopeHeader(jws: string | undefined): EnvelopeParts {
  if (jws === undefined || jws === '')
    throw new Problem('envelope.signature-missing', 'This route needs a signed request: send the detached JWS in the x-jws-signature header');
  if (jws.length > MAX_SIGNATURE_HEADER) throw new Problem('envelope.malformed', `The signature header is longer than ${MAX_SIGNATURE_HEADER} characters`);
  const match = DETACHED.exec(jws.trim());
  if (!match) throw new Problem('envelope.malformed', 'The signature must be a detached compact JWS: <protected>..<signature>');
  const [, protectedPart = '', signature = ''] = match;
  let decoded: unknown;
  try {
    decoded = parseJson(Buffer.from(protectedPart, 'base64url').toString('utf8'), 8);
  } catch {
    throw new Problem('envelope.malformed', 'The protected header is not base64url-encoded JSON');
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded))
    throw new Problem('envelope.malformed', 'The protected header is not a JSON object');
  const crit = (decoded as { crit?: unknown }).crit;
  if (!Array.isArray(crit))
    throw new Problem('envelope.malformed', `The protected header must list ${CRITICAL_MEMBERS.join(', ')} in crit`, { pointer: '/crit' });
  const unknown = crit.filter((name) => typeof name !== 'string' || !UNDERSTOOD.has(name));
  if (unknown.length > 0)
    throw new Problem('envelope.unknown-critical', `crit names members flexgate does not understand: ${unknown.map(String).join(', ')}`, { pointer: '/crit' });
  const missing = CRITICAL_MEMBERS.filter((name) => !crit.includes(name) || !(name in decoded));
  if (missing.length > 0)
    throw new Problem('envelope.malformed', `The protected header must carry and list in crit: ${missing.join(', ')}`, { pointer: '/crit' });
  let header: EnvelopeHeader;
  try {
    header = validateHeader(decoded);
  } catch (error) {
    const problem = error as Problem;
    throw Problem.of(problem.items.map((item) => ({ ...item, code: 'envelope.malformed', detail: `protected header: ${item.detail}` })));
  }
  // Above 2^53 - 1 a number is no longer exact everywhere it is kept: refused, never rounded.
  if (BigInt(header.seq) > MAX_SEQUENCE) throw new Problem('envelope.malformed', `seq must be at most 2^53 - 1 (${MAX_SEQUENCE})`, { pointer: '/seq' });
  if (header.kid !== header['x5t#S256'])
    throw new Problem('envelope.malformed', 'kid must equal x5t#S256 (the signing certificate thumbprint)', { pointer: '/kid' });
  for (const member of [STATUS_MEMBER, RECEIPT_MEMBER] as const) {
    if (member in header !== crit.includes(member))
      throw new Problem('envelope.malformed', `${member} must be listed in crit exactly when present`, { pointer: '/crit' });
  }
  return { header, protectedPart, signature };
}
