import assert from 'node:assert/strict';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crlsDueForRefresh, keepCrlsFresh, refreshCrls } from './crlKeeper.ts';
import { crlNumberOf } from './crlNumber.ts';
import { generateCrls, type IssuedCrl } from './crls.ts';
import { PkiError } from './errors.ts';
import { issueCertificate } from './issuance.ts';
import { initPki } from './pkiInit.ts';
import { pkiLayout } from './pkiLayout.ts';
import { watchPki } from './pkiWatch.ts';
import { revokeCertificate } from './revocation.ts';
import { temporaryDirectories } from './testSupport.ts';
import { loadTrustMaterial, revokedSerialNumbers, type TrustMaterial } from './tlsMaterial.ts';
import { x509 } from './x509.ts';

const DAY_MS = 86_400_000;
const T0 = new Date('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY_MS);

describe('keeping CRLs current', function () {
  const newDir = temporaryDirectories();

  describe('crlsDueForRefresh', function () {
    let dir: string;
    beforeEach(async function () {
      dir = await newDir();
      await initPki(dir, { now: T0 });
    });

    it('finds nothing due while both CRLs have more than half their validity left', async function () {
      assert.deepEqual(await crlsDueForRefresh(dir, { now: at(3.4) }), []);
    });

    it('finds the 7-day issuing CRL due after 3½ days, the yearly root CRL after half a year', async function () {
      assert.deepEqual(await crlsDueForRefresh(dir, { now: at(3.6) }), ['issuing']);
      assert.deepEqual(await crlsDueForRefresh(dir, { now: at(183) }), ['root', 'issuing']);
    });

    it('honours another refresh threshold', async function () {
      assert.deepEqual(await crlsDueForRefresh(dir, { now: at(3.6), minRemainingFraction: 0.4 }), []);
      assert.deepEqual(await crlsDueForRefresh(dir, { now: at(1.5), minRemainingFraction: 0.8 }), ['issuing']);
      await assert.rejects(crlsDueForRefresh(dir, { minRemainingFraction: 1 }), (error: PkiError) => error.code === 'pki.invalid-option');
    });

    it('finds a missing or unreadable CRL due', async function () {
      await rm(pkiLayout(dir).crl('root'));
      await writeFile(pkiLayout(dir).crl('issuing'), '-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n');
      assert.deepEqual(await crlsDueForRefresh(dir, { now: T0 }), ['root', 'issuing']);
    });

    it('finds a CRL due when it is older than the registry says (a crash between the two writes)', async function () {
      const layout = pkiLayout(dir);
      const stale = join(dir, 'stale.crl.pem');
      await copyFile(layout.crl('issuing'), stale);
      await generateCrls(dir, { authorities: ['issuing'], now: T0 });
      await copyFile(stale, layout.crl('issuing'));
      assert.deepEqual(await crlsDueForRefresh(dir, { now: T0 }), ['issuing']);
    });
  });

  describe('refreshCrls', function () {
    it('re-issues only what is due, with the next CRL number, and then nothing is due', async function () {
      const dir = await newDir();
      await initPki(dir, { now: T0 });
      const refreshed = await refreshCrls(dir, { now: at(4) });
      assert.deepEqual(
        refreshed.map(({ authority, crlNumber }) => ({ authority, crlNumber })),
        [{ authority: 'issuing', crlNumber: 2 }],
      );
      const crl = new x509.X509Crl(await readFile(pkiLayout(dir).crl('issuing'), 'utf8'));
      assert.equal(crlNumberOf(crl), 2);
      assert.equal(crl.nextUpdate?.getTime(), at(11).getTime());
      assert.deepEqual(await refreshCrls(dir, { now: at(4) }), []);
    });

    it('keeps the revocations on the re-issued CRL', async function () {
      const dir = await newDir();
      await initPki(dir, { now: T0 });
      const party = await issueCertificate(dir, { role: 'fsp', id: 'fsp-1', now: T0 });
      await revokeCertificate(dir, party.serial, 'keyCompromise', { now: T0 });
      await refreshCrls(dir, { now: at(5) });
      assert.ok(revokedSerialNumbers((await loadTrustMaterial(dir)).crl).has(party.serial));
    });
  });

  describe('keepCrlsFresh', function () {
    it('re-issues an expired issuing CRL as soon as it starts, and reports it', async function () {
      const dir = await newDir();
      await initPki(dir, { now: new Date(Date.now() - 10 * DAY_MS) });
      const errors: Error[] = [];
      const reported = new Promise<IssuedCrl[]>((resolve) => {
        const keeper = keepCrlsFresh(dir, {
          onRefresh: (issued) => {
            keeper.stop();
            resolve(issued);
          },
          onError: (error) => errors.push(error),
        });
      });
      const issued = await reported;
      assert.deepEqual(errors, []);
      assert.deepEqual(
        issued.map((crl) => crl.authority),
        ['issuing'],
      );
      assert.ok(issued[0]!.nextUpdate.getTime() > Date.now() + 6 * DAY_MS);
    });

    it('reports a refresh it cannot make', async function () {
      const dir = await newDir();
      await initPki(dir, { now: new Date(Date.now() - 300 * DAY_MS) });
      await rm(pkiLayout(dir).authorityKey('root'));
      const error = await new Promise<Error>((resolve) => {
        const keeper = keepCrlsFresh(dir, {
          onError: (failure) => {
            keeper.stop();
            resolve(failure);
          },
        });
      });
      assert.equal((error as PkiError).code, 'pki.root-key-offline');
    });
  });

  describe('watchPki', function () {
    for (const polling of [false, true]) {
      it(`delivers the new trust material when a revocation rewrites the CRL (${polling ? 'polling' : 'fs.watch'})`, async function () {
        const dir = await newDir();
        await initPki(dir);
        const party = await issueCertificate(dir, { role: 'fsp', id: 'fsp-1' });
        const current = await loadTrustMaterial(dir);
        const errors: Error[] = [];
        let stop = () => {};
        const delivered = new Promise<TrustMaterial>((resolve) => {
          const watcher = watchPki(dir, resolve, { current, polling, pollIntervalMs: 50, debounceMs: 20, onError: (error) => errors.push(error) });
          stop = () => watcher.close();
        });
        try {
          await revokeCertificate(dir, party.serial, 'keyCompromise');
          const material = await delivered;
          assert.deepEqual(errors, []);
          assert.ok(revokedSerialNumbers(material.crl).has(party.serial));
          assert.deepEqual(material.ca, current.ca);
        } finally {
          stop();
        }
      });
    }
  });
});
