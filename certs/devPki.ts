import { certificateStatus, recordIdentity } from './certificateRegistry.ts';
import { crlsDue } from './crlKeeper.ts';
import { issueCrl } from './crls.ts';
import { issueInSession, type IssueCertificateOptions } from './issuance.ts';
import { partyIdentity } from './partyIdentity.ts';
import { addDays, wholeSeconds } from './pkiClock.ts';
import { pkiExists, readPkiIndex } from './pkiIndex.ts';
import { initialiseInLock } from './pkiInit.ts';
import { pkiLayout, type AuthorityName } from './pkiLayout.ts';
import { withPkiLock } from './pkiLock.ts';
import { pkiSession } from './pkiSession.ts';
import { ensurePrivateDirectory } from './privateFiles.ts';

type DevIdentity = Pick<IssueCertificateOptions, 'role' | 'id' | 'dnsNames' | 'ipAddresses'>;

/** The development gateway's server certificate: reachable as https://localhost or https://127.0.0.1. */
export const DEV_GATEWAY: DevIdentity = { role: 'gateway', id: 'flexgate-dev', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

/** The development gateway's party URN: the audience clients of a development gateway sign for. */
export const DEV_GATEWAY_URN = `urn:flexgate:${DEV_GATEWAY.role}:${DEV_GATEWAY.id}`;

/** One client certificate per role, two FSPs so that one FSP acting on another's data can be tried. */
export const DEV_PARTIES: readonly DevIdentity[] = [
  { role: 'anm', id: 'anm-dev' },
  { role: 'dso', id: 'dso-dev' },
  { role: 'fsp', id: 'fsp-dev-1' },
  { role: 'fsp', id: 'fsp-dev-2' },
  { role: 'admin', id: 'admin-dev' },
];

/** A development certificate closer than this to expiry is replaced on the next start. */
export const DEV_RENEW_WITHIN_DAYS = 7;

export interface DevCredential {
  urn: string;
  serial: string;
  notAfter: Date;
  certificatePath: string;
  privateKeyPath: string;
  /** Issued by this call (first run, or the previous one was near expiry or revoked). */
  issued: boolean;
}

export interface DevPkiSummary {
  dir: string;
  /** True when this call created the CAs. */
  created: boolean;
  rootCertificatePath: string;
  chainPath: string;
  /** The gateway's credential first, then the parties'. */
  credentials: DevCredential[];
  crlsRefreshed: AuthorityName[];
}

/**
 * Makes sure a development PKI exists and is usable for at least
 * DEV_RENEW_WITHIN_DAYS more days: creates the CAs on first run, issues the
 * gateway's and each dev party's certificate when it has none that lasts
 * that long, and re-issues CRLs that are due. Idempotent; prints nothing.
 */
export async function ensureDevPki(dir: string, options: { now?: Date } = {}): Promise<DevPkiSummary> {
  const layout = pkiLayout(dir);
  await ensurePrivateDirectory(dir);
  return withPkiLock(layout, async () => {
    const now = wholeSeconds(options.now ?? new Date());
    const created = !(await pkiExists(layout));
    const session = created
      ? (await initialiseInLock(layout, { organisation: 'flexgate dev', now })).session
      : pkiSession(layout, await readPkiIndex(layout), now);
    const renewBy = addDays(now, DEV_RENEW_WITHIN_DAYS);

    const credentials: DevCredential[] = [];
    for (const identity of [DEV_GATEWAY, ...DEV_PARTIES]) {
      const { urn } = partyIdentity(identity.role, identity.id);
      const lasting = session.index.certificates
        .filter((record) => recordIdentity(record).urn === urn && certificateStatus(record, now) === 'valid' && new Date(record.notAfter) > renewBy)
        .sort((a, b) => Date.parse(b.notAfter) - Date.parse(a.notAfter))[0];
      if (lasting) {
        credentials.push({
          urn,
          serial: lasting.serial,
          notAfter: new Date(lasting.notAfter),
          certificatePath: layout.certificate(lasting.role, lasting.id, lasting.serial),
          privateKeyPath: layout.privateKey(lasting.role, lasting.id, lasting.serial),
          issued: false,
        });
        continue;
      }
      const { serial, notAfter, certificatePath, privateKeyPath } = await issueInSession(session, identity);
      credentials.push({ urn, serial, notAfter, certificatePath, privateKeyPath, issued: true });
    }

    const crlsRefreshed = created ? [] : await crlsDue(layout, session.index, now);
    for (const authority of crlsRefreshed) await issueCrl(session, authority);
    return {
      dir,
      created,
      rootCertificatePath: layout.authorityCertificate('root'),
      chainPath: layout.chain,
      credentials,
      crlsRefreshed,
    };
  });
}
