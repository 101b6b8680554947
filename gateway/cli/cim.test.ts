import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAnmDocument } from '../anm/decode.ts';
import { readCimDocument } from '../cim/inbound.ts';
import { OFFICIAL_XSD_DIR } from '../cim/officialSchemas.ts';
import { BITRADER_DIR, bitraderFixture } from '../testing/fixtures.ts';
import { runCommandInProcess } from '../../client/testing/commandInProcess.ts';
import { cimCommand } from './cim.ts';

/** Runs `flexgate cim …` in this process, capturing what it prints. */
const cim = (...args: string[]) => runCommandInProcess(cimCommand, ...args);

describe('flexgate cim', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexgate-cim-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('from-anm turns an ANM table into the CIM document of its profile, with the header asked for', async function () {
    const figure7 = bitraderFixture(this, 'mol-traded-figure7.tsv');
    const run = await cim(
      'from-anm',
      join(BITRADER_DIR, 'mol-traded-figure7.tsv'),
      '--mrid',
      'MOL-18-0800',
      '--revision',
      '2',
      '--created',
      '2024-10-17T20:08:45Z',
      '--sender',
      'A01:10X1001A1001A57U',
    );
    assert.equal(run.code, 0, run.stderr);
    const reading = readCimDocument(Buffer.from(run.stdout));
    assert.ok(reading.accepted);
    assert.equal(reading.document.kind, 'merit-order-list');
    assert.deepEqual(reading.document.model, decodeAnmDocument('merit-order-list', figure7, 'text/tab-separated-values'));
    assert.deepEqual(reading.document.header.sender, { mRID: '10X1001A1001A57U', codingScheme: 'A01', role: 'A50' });
    assert.equal(reading.document.header.mRID, 'MOL-18-0800');
    assert.equal(reading.document.header.revisionNumber, 2);
  });

  it('from-anm --out writes the same document to a file as it is made, and nothing to stdout', async function () {
    bitraderFixture(this, 'mol-traded-figure7.tsv');
    const args = ['from-anm', join(BITRADER_DIR, 'mol-traded-figure7.tsv'), '--mrid', 'MOL-OUT', '--created', '2024-10-17T20:08:45Z'];
    const printed = await cim(...args);
    const out = join(dir, 'figure7.xml');
    const written = await cim(...args, '--out', out);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), printed.stdout);
  });

  it('from-anm reads JSON and CSV as well, and tells a look-ahead from a merit order list', async () => {
    const json = file(
      'cla.json',
      JSON.stringify({
        constraints: [{ constraintId: 'C9', start: '2024-10-27T01:30:00+01:00', end: '2024-10-27T01:00:00Z', size_kW: 5, resources: [{ resourceId: 'R1' }] }],
      }),
    );
    const fromJson = await cim('from-anm', json);
    assert.equal(fromJson.code, 0, fromJson.stderr);
    assert.match(fromJson.stdout, /<ConstraintNetworkElement_MarketDocument /);
    assert.match(fromJson.stdout, /<start>2024-10-27T00:30Z<\/start>/, '01:30 BST is 00:30 UTC on the day clocks go back');
    const csv = file(
      'mol.csv',
      [
        'Order,Contract Id,Resource Id,Operation Type,Value,Value Units,MIC kW,MEC_kW,Activity,Traded,Registered',
        '17/10/2024 14:00:00,,,,,,,,,,',
        '1,A1,G1,ConstrainedGeneration,0,kW,0,900,Buyer,False,True',
      ].join('\n'),
    );
    const fromCsv = await cim('from-anm', csv);
    assert.equal(fromCsv.code, 0, fromCsv.stderr);
    assert.match(fromCsv.stdout, /<businessType>C55<\/businessType>/);
  });

  it('from-anm reports an ANM payload it cannot convert, exit 1', async () => {
    const json = file(
      'bad.json',
      JSON.stringify({
        constraints: [{ constraintId: 'C9', start: '2024-10-27T01:10:00Z', end: '2024-10-27T02:00:00Z', size_kW: 5, resources: [{ resourceId: 'R1' }] }],
      }),
    );
    const run = await cim('from-anm', json);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cim\.not-representable.*not on the half-hour settlement grid/);
  });

  it('to-anm turns a CIM document back into ANM JSON', async function () {
    const figure6 = bitraderFixture(this, 'mol-original-figure6.tsv');
    const xml = (await cim('from-anm', join(BITRADER_DIR, 'mol-original-figure6.tsv'))).stdout;
    const run = await cim('to-anm', file('mol6.xml', xml));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), decodeAnmDocument('merit-order-list', figure6, 'text/tab-separated-values'));
  });

  describe('validate', () => {
    let valid: string;
    before(async function () {
      bitraderFixture(this, 'cla-figure5.tsv');
      valid = (await cim('from-anm', join(BITRADER_DIR, 'cla-figure5.tsv'))).stdout;
    });

    it('exits 0 for a valid document, checked against the official XSD too with --schemas', async () => {
      const run = await cim('validate', file('cla.xml', valid), '--schemas', OFFICIAL_XSD_DIR);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /valid: ConstraintNetworkElement_MarketDocument .* also against iec62325-451-n-constraintelement_v1_0\.xsd/);
    });

    it('exits 1 with the reasons, each at its element, on stderr', async () => {
      const run = await cim(
        'validate',
        file('cla-bad.xml', valid.replace('<quantity.quantity>2000</quantity.quantity>', '<quantity.quantity>2e3</quantity.quantity>')),
      );
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /urn:flexgate:problem:cim\.schema-invalid at \/ConstraintNetworkElement_MarketDocument\/TimeSeries\/Period\/Point\/Constraint_TimeSeries\/ExternalConstraint_Series\/quantity\.quantity line \d+/,
      );
    });

    const hostile: [string, string, string][] = [
      ['XXE', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 'xml.external-entity-forbidden'],
      ['billion laughs', '<!DOCTYPE r [<!ENTITY a "a"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', 'xml.entity-forbidden'],
      ['deep nesting', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'xml.too-deep'],
    ];
    for (const [name, xml, code] of hostile) {
      it(`exits 2 for hostile input: ${name}`, async () => {
        const run = await cim('validate', file(`${code}.xml`, xml));
        assert.equal(run.code, 2);
        assert.match(run.stderr, new RegExp(code.replace('.', '\\.')));
      });
    }

    it('exits 64 for a usage error', async () => {
      assert.equal((await cim('validate')).code, 64);
      assert.equal((await cim('validate', join(dir, 'absent.xml'))).code, 64);
      assert.equal((await cim('transmogrify')).code, 64);
    });
  });
});
