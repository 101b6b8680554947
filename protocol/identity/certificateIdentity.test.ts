import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { issueCertificate } from '../../certs/issuance.ts';
import { parsePartyUrn } from './partyUrn.ts';
import { certificateThumbprint, partyFromCertificate } from './certificateIdentity.ts';
import { initPki } from '../../certs/pkiInit.ts';
import { openssl, requireOpenssl, temporaryDirectories } from '../../certs/testSupport.ts';

describe('party identity from a certificate', function () {
  describe('from Node’s subjectaltname text (tls.PeerCertificate)', function () {
    const cases: [string, string | undefined][] = [
      ['URI:urn:flexgate:fsp:fsp-1', 'urn:flexgate:fsp:fsp-1'],
      ['URI:urn:flexgate:gateway:gw, DNS:localhost, IP Address:127.0.0.1', 'urn:flexgate:gateway:gw'],
      ['DNS:localhost, URI:https://example.org/x, URI:urn:flexgate:dso:dso-1', 'urn:flexgate:dso:dso-1'],
      ['URI:"urn:flexgate:anm:anm-1"', 'urn:flexgate:anm:anm-1'],
      ['URI:"urn:flexgate:fsp:a,b"', undefined],
      ['URI:urn:flexgate:fsp:fsp-1, URI:urn:flexgate:fsp:fsp-2', undefined],
      ['URI:urn:flexgate:fsp:fsp-1, URI:urn:flexgate:admin:root', undefined],
      ['DNS:urn:flexgate:fsp:fsp-1', undefined],
      ['DNS:"evil.example, URI:urn:flexgate:admin:admin-1"', undefined],
      ['email:urn:flexgate:fsp:fsp-1', undefined],
      ['URI:urn:flexgate:vtn:x', undefined],
      ['URI:urn:flexgate:fsp:FSP-1', undefined],
      ['URI:urn:flexgate:fsp:fsp-1:extra', undefined],
      ['URI:urn:flexgate:fsp:', undefined],
      ['URI:urn:other:fsp:fsp-1', undefined],
      ['', undefined],
    ];
    for (const [subjectaltname, expected] of cases) {
      it(`${JSON.stringify(subjectaltname)} → ${expected ?? 'no party'}`, function () {
        assert.equal(partyFromCertificate({ subjectaltname })?.urn, expected);
      });
    }

    it('gives role, id and urn', function () {
      assert.deepEqual(partyFromCertificate({ subjectaltname: 'URI:urn:flexgate:fsp:fsp-dev-2' }), {
        role: 'fsp',
        id: 'fsp-dev-2',
        urn: 'urn:flexgate:fsp:fsp-dev-2',
      });
    });

    it('gives no party for a peer that sent no certificate (Node gives an empty object)', function () {
      assert.equal(partyFromCertificate({}), undefined);
    });
  });

  describe('from an issued certificate', function () {
    const newDir = temporaryDirectories();
    let pem: string;
    let certificatePath: string;
    before(async function () {
      const dir = await newDir();
      await initPki(dir);
      certificatePath = (await issueCertificate(dir, { role: 'anm', id: 'anm-7', dnsNames: ['anm.example'] })).certificatePath;
      pem = await readFile(certificatePath, 'utf8');
    });

    it('reads PEM, DER and Node X509Certificate alike', function () {
      const certificate = new X509Certificate(pem);
      for (const input of [pem, certificate.raw, new Uint8Array(certificate.raw), certificate]) {
        assert.deepEqual(partyFromCertificate(input), { role: 'anm', id: 'anm-7', urn: 'urn:flexgate:anm:anm-7' });
      }
    });

    it('gives the x5t#S256 thumbprint: base64url SHA-256 of the DER, the same from PEM or DER', function () {
      const der = new X509Certificate(pem).raw;
      const expected = createHash('sha256').update(der).digest('base64url');
      assert.equal(certificateThumbprint(der), expected);
      assert.equal(certificateThumbprint(pem), expected);
      assert.match(expected, /^[A-Za-z0-9_-]{43}$/);
    });

    it('matches openssl’s SHA-256 fingerprint', async function () {
      requireOpenssl(this);
      const result = await openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', certificatePath]);
      assert.equal(result.status, 0, result.stderr);
      const hex = /Fingerprint=([0-9A-F:]+)/i.exec(result.stdout)![1]!.replaceAll(':', '');
      assert.equal(certificateThumbprint(pem), Buffer.from(hex, 'hex').toString('base64url'));
    });
  });

  it('parsePartyUrn refuses what partyIdentity would not issue', function () {
    assert.equal(parsePartyUrn('urn:flexgate:fsp:fsp-1')?.id, 'fsp-1');
    for (const urn of ['urn:flexgate:fsp:-x', 'urn:flexgate::x', 'urn:flexgate:fsp', 'URN:flexgate:fsp:x', `urn:flexgate:fsp:${'a'.repeat(61)}`]) {
      assert.equal(parsePartyUrn(urn), undefined, urn);
    }
  });
});
