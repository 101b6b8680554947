import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDocument, writeDocumentFile } from '../../profiles/machinery/builder.ts';
import { MalformedXml, parseDocument } from '../../profiles/machinery/parser.ts';
import { ProfileViolation } from '../../profiles/machinery/violation.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { Problem } from '../../protocol/problem.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { readCimDocument } from './inbound.ts';
import { DEFAULT_XML_LIMITS } from './xmlSafety.ts';
import { documentHeader } from '../../profiles/testing/headers.ts';

const LIMITS = { ...DEFAULT_XML_LIMITS, maxBytes: 1024 ** 3, maxElements: 1e9, maxAttributes: 1e9 };

const header = documentHeader({ mRID: 'MOL-LARGE' });

function list(entries: number): MeritOrderList {
  return {
    issuedAt: '2024-10-17T12:45:00Z',
    periodStart: '2024-10-17T13:00:00Z',
    entries: Array.from({ length: entries }, (_, k) => ({
      order: k + 1,
      contractId: `C-${k + 1}&<"${k % 7}">`,
      resourceId: `R-${k + 1}`,
      ...(k % 3 === 0 ? { resourceName: `Asset <${k}> & "co"` } : {}),
      operationType: k % 2 ? ('FlexibleOutputChange' as const) : ('ConstrainedDemand' as const),
      value_kW: k % 5 === 0 ? 0 : (k % 2 ? -1 : 1) * (k % 900),
      mic_kW: 700,
      mec_kW: 1200,
      activity: k % 2 ? ('Seller' as const) : ('Buyer' as const),
      traded: k % 4 === 0,
      registered: k % 10 !== 0,
      ...(k % 6 === 0 ? { curtailmentIndex: k % 9 } : {}),
    })),
  };
}

/** The line (1-based) a text offset is on. */
const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** The offset of `needle` inside the TimeSeries of merit order `order`. */
function inEntry(xml: string, order: number, needle: string): number {
  const entry = xml.indexOf(`<priority>${order}</priority>`);
  assert.ok(entry > 0, `no entry ${order}`);
  const at = xml.indexOf(needle, entry);
  assert.ok(at > 0, `no ${needle} after entry ${order}`);
  return at;
}

describe('large CIM documents, written and read as streams', function () {
  this.timeout(600_000);

  it('reads back a 20,000-entry merit order list it wrote, entry for entry, and writes the same bytes again', () => {
    const model = list(20_000);
    const xml = buildDocument(meritOrderListProfile, model, header);
    const folder = mkdtempSync(join(tmpdir(), 'flexgate-large-'));
    try {
      const file = join(folder, 'mol.xml');
      assert.equal(writeDocumentFile(file, meritOrderListProfile, model, header), Buffer.byteLength(xml));
      assert.deepEqual(readFileSync(file), Buffer.from(xml), 'the file holds the same bytes as the text');
      assert.throws(() => writeDocumentFile(file, meritOrderListProfile, { entries: 'not a list' }, header), ProfileViolation);
      assert.ok(!existsSync(file), 'a model that does not fit leaves no file behind');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const parsed = parseDocument(meritOrderListProfile, xml);
    assert.deepEqual(parsed, { header, model });
    assert.equal(buildDocument(meritOrderListProfile, parsed.model, parsed.header), xml);
    const reading = readCimDocument(Buffer.from(xml), LIMITS);
    assert.ok(reading.accepted, reading.accepted ? '' : reading.problem.message);
    assert.equal(reading.document.kind, 'merit-order-list');
    assert.equal(reading.document.kind === 'merit-order-list' && reading.document.model.entries.length, 20_000);
  });

  describe('a document large enough to be validated in parts (5,000 entries, 6 MB)', () => {
    const valid = buildDocument(meritOrderListProfile, list(5_000), header);

    it('is accepted whole', () => {
      assert.ok(valid.length > 4 * 1024 * 1024, 'the document is large enough to be cut into parts');
      assert.ok(readCimDocument(Buffer.from(valid), LIMITS).accepted);
    });

    it('reports a schema error deep inside at its element and its line in the whole document', () => {
      const at = inEntry(valid, 4_321, '<businessType>');
      const xml = `${valid.slice(0, at)}<businessType>ZZZ${valid.slice(at + '<businessType>'.length + 3)}`;
      const reading = readCimDocument(Buffer.from(xml), LIMITS);
      assert.ok(!reading.accepted);
      const [item, ...more] = reading.problem.items;
      assert.equal(more.length, 0, JSON.stringify(reading.problem.items));
      assert.equal(item!.code, 'cim.schema-invalid');
      assert.equal(item!.pointer, '/MeritOrderList_MarketDocument/TimeSeries[4321]/businessType');
      assert.equal(item!.row, lineAt(xml, at));
      assert.equal(reading.peek.mRID, 'MOL-LARGE');
    });

    it('reports an error before the run of TimeSeries once, not once per part', () => {
      const reading = readCimDocument(Buffer.from(valid.replace('<type>A43</type>', '<type>ZZZ</type>')), LIMITS);
      assert.ok(!reading.accepted);
      assert.deepEqual(
        reading.problem.items.map((item) => [item.code, item.pointer, item.row]),
        [['cim.schema-invalid', '/MeritOrderList_MarketDocument/type', 5]],
      );
    });

    it('refuses markup that is not well-formed deep inside as xml.malformed, at its line', () => {
      const at = inEntry(valid, 3_999, '</priority>');
      const xml = `${valid.slice(0, at)}</priorty>${valid.slice(at + '</priority>'.length)}`;
      assert.throws(
        () => readCimDocument(Buffer.from(xml), LIMITS),
        (error: unknown) => error instanceof Problem && error.code === 'xml.malformed' && error.items[0]!.row === lineAt(xml, at),
      );
    });
  });

  describe('the streaming reader on its own', () => {
    const small = buildDocument(meritOrderListProfile, list(3), header);

    it('refuses a DOCTYPE, and expands no entity', () => {
      assert.throws(
        () => parseDocument(meritOrderListProfile, small.replace('<MeritOrderList_MarketDocument', '<!DOCTYPE x>\n<MeritOrderList_MarketDocument')),
        MalformedXml,
      );
      const entity = '<!DOCTYPE x [<!ENTITY e "MOL-2">]>\n<MeritOrderList_MarketDocument';
      assert.throws(
        () => parseDocument(meritOrderListProfile, small.replace('<MeritOrderList_MarketDocument', entity).replace('MOL-LARGE', '&e;')),
        MalformedXml,
      );
      assert.throws(() => parseDocument(meritOrderListProfile, small.replace('MOL-LARGE', '&passwd;')), MalformedXml);
    });

    it('refuses markup that is not well-formed, with its line', () => {
      assert.throws(
        () => parseDocument(meritOrderListProfile, small.replace('</priority>', '</priorty>')),
        (error: unknown) => error instanceof MalformedXml && error.line === lineAt(small, small.indexOf('</priority>')),
      );
    });

    it('reads CDATA and character references as text, and reports text between elements at its parent', () => {
      const cdata = small.replace('<mRID>MOL-LARGE</mRID>', '<mRID><![CDATA[MOL]]>&#45;LARGE</mRID>');
      assert.equal(parseDocument(meritOrderListProfile, cdata).header.mRID, 'MOL-LARGE');
      const stray = small.replace('<priority>2</priority>', '<priority>2</priority>stray');
      assert.throws(
        () => parseDocument(meritOrderListProfile, stray),
        (error: unknown) =>
          error instanceof Error &&
          'issues' in error &&
          JSON.stringify(error.issues).includes('"path":"/MeritOrderList_MarketDocument/TimeSeries[2]"') &&
          JSON.stringify(error.issues).includes('has text where only elements are allowed'),
      );
    });
  });
});
