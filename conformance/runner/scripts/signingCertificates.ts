import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { issueCertificate, revokeCertificate } from '../../../certs/index.ts';
import type { EnvelopeSigner } from '../../../protocol/envelope/index.ts';
import { certificateThumbprint } from '../../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../../protocol/identity/pem.ts';
import type { CaseContext, Script } from '../caseContext.ts';
import { CaseFailed, mismatches } from '../exchange.ts';
import { PartyUnavailable } from '../target.ts';

const PATH = '/anm/v1/merit-order-lists';

/** The target's PKI folder: these cases issue certificates in it. */
export function pkiDirOf(context: CaseContext): string {
  if (!context.target.pkiDir) throw new PartyUnavailable('This case issues certificates: give the target PKI folder (--pki-dir)');
  return context.target.pkiDir;
}

async function signerFrom(issued: { certificatePath: string; chainPath: string; privateKeyPath: string }, issuer: string): Promise<EnvelopeSigner> {
  const pem = await readFile(issued.certificatePath, 'utf8');
  return {
    issuer,
    key: createPrivateKey(await readFile(issued.privateKeyPath, 'utf8')),
    certificateThumbprint: certificateThumbprint(pem),
    x5c: [pem, ...splitPemCertificates(await readFile(issued.chainPath, 'utf8'))],
  };
}

async function expectRefusal(context: CaseContext, signer: EnvelopeSigner, code: string, status: number, withinMs: number): Promise<void> {
  const client = context.target.client('anm');
  const deadline = Date.now() + withinMs;
  for (;;) {
    const response = await client.request('GET', PATH, { signer });
    context.note(`GET ${PATH} signed with ${signer.certificateThumbprint}: ${response.status} ${response.text().slice(0, 300)}`);
    const found = mismatches({ status, problem: code }, response, context.variables);
    if (!found.length) return;
    // A revocation reaches the target with its re-issued CRL, after the target's reload debounce.
    if (Date.now() > deadline) throw new CaseFailed(found.join('; '));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A certificate of the ANM's role revoked after issue: its signatures must be refused once the CRL says so. */
export const revokedSigningCertificate: Script = async (context) => {
  const pkiDir = pkiDirOf(context);
  const id = `conformance-revoked-${String(context.variables.get('unique')).slice(0, 8)}`;
  const issued = await issueCertificate(pkiDir, { role: 'anm', id });
  const signer = await signerFrom(issued, context.target.party('anm'));
  await revokeCertificate(pkiDir, issued.urn, 'keyCompromise');
  await expectRefusal(context, signer, 'envelope.certificate-revoked', 401, 10_000);
};

/** A certificate whose validity ended yesterday: its signatures must be refused. */
export const expiredSigningCertificate: Script = async (context) => {
  const pkiDir = pkiDirOf(context);
  const id = `conformance-lapsed-${String(context.variables.get('unique')).slice(0, 8)}`;
  const issued = await issueCertificate(pkiDir, { role: 'anm', id, lifetimeDays: 1, now: new Date(Date.now() - 3 * 86_400_000) });
  await expectRefusal(context, await signerFrom(issued, context.target.party('anm')), 'envelope.certificate-expired', 401, 0);
};
