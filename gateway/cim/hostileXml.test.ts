import assert from 'node:assert/strict';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { problemType, type ProblemCode } from '../../schemas/problems.ts';
import { Problem } from '../../protocol/problem.ts';
import { oneEntryMeritOrderDocument } from '../testing/cimDocuments.ts';
import { readCimDocument } from './inbound.ts';
import { checkXmlSafety, DEFAULT_XML_LIMITS } from './xmlSafety.ts';

const MOL_NAMESPACE = meritOrderListProfile.namespace;

/** A merit order list valid in every way: the starting point of the cases that alter one thing. */
const validList = oneEntryMeritOrderDocument('MOL-1');

const billionLaughs = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  '  <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, k) => `  <!ENTITY lol${k + 1} "${`&lol${k === 0 ? '' : k};`.repeat(10)}">`),
  ']>',
  `<MeritOrderList_MarketDocument xmlns="${MOL_NAMESPACE}"><mRID>&lol9;</mRID></MeritOrderList_MarketDocument>`,
].join('\n');

const xxe = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!DOCTYPE MeritOrderList_MarketDocument [ <!ENTITY passwd SYSTEM "file:///etc/passwd"> ]>',
  `<MeritOrderList_MarketDocument xmlns="${MOL_NAMESPACE}"><mRID>&passwd;</mRID></MeritOrderList_MarketDocument>`,
].join('\n');

const TEN_MEGABYTES = 10 * 1024 * 1024;
const deepNesting = (() => {
  const levels = Math.floor(TEN_MEGABYTES / '<a></a>'.length);
  return `${'<a>'.repeat(levels)}${'</a>'.repeat(levels)}`;
})();

interface HostileCase {
  name: string;
  body: () => Buffer;
  code: ProblemCode;
}

const cases: HostileCase[] = [
  { name: 'XXE reading /etc/passwd', body: () => Buffer.from(xxe), code: 'xml.external-entity-forbidden' },
  { name: 'billion laughs', body: () => Buffer.from(billionLaughs), code: 'xml.entity-forbidden' },
  {
    name: 'a DOCTYPE without entities',
    body: () => Buffer.from(validList.replace('<MeritOrderList_MarketDocument', '<!DOCTYPE x>\n<MeritOrderList_MarketDocument')),
    code: 'xml.doctype-forbidden',
  },
  { name: `10 MB of nesting (${Math.floor(TEN_MEGABYTES / 7).toLocaleString('en-GB')} levels)`, body: () => Buffer.from(deepNesting), code: 'xml.too-deep' },
  { name: 'a body over the size limit', body: () => Buffer.alloc(DEFAULT_XML_LIMITS.maxBytes + 1, 0x20), code: 'xml.too-large' },
  {
    name: 'a declared encoding other than UTF-8',
    body: () => Buffer.from(validList.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')),
    code: 'xml.encoding-unsupported',
  },
  { name: 'UTF-16', body: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(validList, 'utf16le')]), code: 'xml.encoding-unsupported' },
  { name: 'an undeclared entity reference', body: () => Buffer.from(validList.replace('<mRID>MOL-1</mRID>', '<mRID>&passwd;</mRID>')), code: 'xml.malformed' },
  { name: 'markup that is not well-formed', body: () => Buffer.from(validList.replace('</priority>', '</priorty>')), code: 'xml.malformed' },
  {
    name: 'the wrong namespace',
    body: () => Buffer.from(validList.replace(MOL_NAMESPACE, 'urn:iec62325.351:tc57wg16:451-7:moldocument:6:0')),
    code: 'cim.wrong-namespace',
  },
  { name: 'no namespace', body: () => Buffer.from(validList.replace(` xmlns="${MOL_NAMESPACE}"`, '')), code: 'cim.wrong-namespace' },
  {
    name: 'the wrong root element',
    body: () => Buffer.from(validList.replaceAll('MeritOrderList_MarketDocument', 'ReserveBid_MarketDocument')),
    code: 'cim.unknown-document',
  },
];

/** Generous: refusals take milliseconds; this only catches one that parses or expands the input. */
const TIME_BOUND_MS = 2000;

describe('hostile and unidentifiable XML is refused before any expansion, each with its own problem type', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.code}`, () => {
      const body = c.body();
      const started = process.hrtime.bigint();
      let refusal: unknown;
      try {
        readCimDocument(body);
      } catch (error) {
        refusal = error;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`      refused in ${ms.toFixed(2)} ms (${(body.length / 1024).toFixed(0)} KiB)`);
      assert.ok(refusal instanceof Problem, `not refused: ${String(refusal)}`);
      assert.equal(problemType(refusal.code), problemType(c.code));
      assert.doesNotMatch(refusal.message, /root:/, 'nothing of /etc/passwd leaks');
      assert.ok(ms < TIME_BOUND_MS, `took ${ms} ms`);
    });
  }

  it('gives every hostile case a different type from every other kind of case', () => {
    const hostile: ProblemCode[] = [
      'xml.external-entity-forbidden',
      'xml.entity-forbidden',
      'xml.too-deep',
      'xml.too-large',
      'cim.wrong-namespace',
      'cim.unknown-document',
    ];
    assert.equal(new Set(hostile).size, hostile.length);
    for (const code of hostile) assert.ok(cases.some((c) => c.code === code));
  });

  it('accepts nesting and size right at the limits', () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxBytes: 1000, maxDepth: 3 };
    assert.equal(checkXmlSafety(Buffer.from('<a><b><c/></b></a>'), limits).localName, 'a');
    assert.throws(
      () => checkXmlSafety(Buffer.from('<a><b><c><d/></c></b></a>'), limits),
      (e: Problem) => e.code === 'xml.too-deep',
    );
    assert.throws(
      () => checkXmlSafety(Buffer.alloc(1001, 0x20), limits),
      (e: Problem) => e.code === 'xml.too-large',
    );
  });

  it('refuses more elements, more attributes or longer texts than the budgets allow, and accepts them at the limits', () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxElements: 3, maxAttributes: 2, maxTextLength: 4 };
    const refusal = (xml: string) => {
      try {
        checkXmlSafety(Buffer.from(xml), limits);
        return 'accepted';
      } catch (error) {
        return error instanceof Problem ? error.code : String(error);
      }
    };
    assert.equal(refusal('<a x="1"><b y="2">1234</b><c/></a>'), 'accepted');
    assert.equal(refusal('<a><b/><c/><d/></a>'), 'xml.too-many-elements');
    assert.equal(refusal('<a x="1" y="2"><b z=\'3\'/></a>'), 'xml.too-many-attributes');
    assert.equal(refusal('<a>12345</a>'), 'xml.text-too-long');
    assert.equal(refusal('<a x="12345"/>'), 'xml.text-too-long');
    assert.equal(refusal('<a><![CDATA[12345]]></a>'), 'xml.text-too-long');
  });

  it('is not fooled by markup-like text in attributes, comments, CDATA and processing instructions', () => {
    const root = checkXmlSafety(
      Buffer.from('<?xml version="1.0"?><!-- <!DOCTYPE x> --><?pi <!ENTITY?><ns:r xmlns:ns="urn:x" a="<b><c>" b=\'/>\'><![CDATA[<!DOCTYPE y><d><e>]]></ns:r>'),
      { ...DEFAULT_XML_LIMITS, maxBytes: 10_000, maxDepth: 1 },
    );
    assert.deepEqual(root, { localName: 'r', namespace: 'urn:x' });
  });

  it('rejects 32,000 empty siblings (128 KB) in linear time, each schema error located (issue 14: was 12 s)', () => {
    const body = Buffer.from(validList.replace('</MeritOrderList_MarketDocument>', `${'<x/>'.repeat(32_000)}</MeritOrderList_MarketDocument>`));
    const started = process.hrtime.bigint();
    const reading = readCimDocument(body);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`      rejected in ${ms.toFixed(0)} ms (${(body.length / 1024).toFixed(0)} KiB)`);
    assert.ok(!reading.accepted);
    assert.equal(reading.problem.code, 'cim.schema-invalid');
    // Linear is tens of milliseconds; the quadratic locator took minutes. Generous for a loaded machine.
    assert.ok(ms < 5 * TIME_BOUND_MS, `took ${ms} ms`);
  });

  it('applies the identifier alphabet to CIM as to JSON and tables: an mRID of only whitespace is rejected', () => {
    const reading = readCimDocument(Buffer.from(validList.replace('<mRID>MOL-1</mRID>', '<mRID>   </mRID>')));
    assert.ok(!reading.accepted);
  });

  it('reports a schema error at the element it concerns, as an XPath-like path with its line', () => {
    const reading = readCimDocument(Buffer.from(validList.replace('<priority>1</priority>', '<priority>first</priority>')));
    assert.ok(!reading.accepted);
    const [item] = reading.problem.items;
    assert.equal(item?.code, 'cim.schema-invalid');
    assert.equal(item?.pointer, '/MeritOrderList_MarketDocument/TimeSeries/priority');
    assert.equal(item?.row, validList.split('\n').findIndex((line) => line.includes('<priority>')) + 1);
    assert.equal(reading.peek.sender?.mRID, 'GB-DSO', 'the header is still read, to address the rejection');
  });
});
