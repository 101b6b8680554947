import assert from 'node:assert/strict';
import fc from 'fast-check';
import { acknowledgementProfile } from '../../profiles/acknowledgement.ts';
import type { CimProfile } from '../../profiles/catalogue.ts';
import { constraintLookAheadProfile } from '../../profiles/constraintLookAhead.ts';
import { deliveryVerificationProfile } from '../../profiles/deliveryVerification.ts';
import { dispatchInstructionProfile } from '../../profiles/dispatchInstruction.ts';
import { buildDocument, buildDocumentOf } from '../../profiles/machinery/builder.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import type { DocumentHeader } from '../../profiles/models/documentHeader.ts';
import * as generate from '../../profiles/testing/arbitraries.ts';
import { largeDeliveryVerification, largeDispatchInstruction, largeLookAhead, largeMeritOrderList } from '../../profiles/testing/largeModels.ts';
import { propertySeed } from '../../profiles/testing/seed.ts';
import { decodeAnmDocument, type AnmDocumentKind } from '../anm/decode.ts';
import { bitraderFixture, type BitraderFixture } from '../testing/fixtures.ts';
import { readCimDocument } from './inbound.ts';
import { OfficialValidationPool } from './officialValidationPool.ts';
import { officialSchema } from './officialSchemas.ts';
import { DEFAULT_XML_LIMITS } from './xmlSafety.ts';
import { schemaViolations, type CompiledSchema } from './xsdValidation.ts';

const RUNS = 1000;
const LIMITS = { ...DEFAULT_XML_LIMITS, maxBytes: 256 * 1024 * 1024 };

/** ANM model → CIM → model is the identity, and (unless `once`) CIM → model → CIM gives the same text; the text passed our XSD on the way. */
function assertLossless(profile: CimProfile, model: unknown, header: unknown, options: { once?: boolean } = {}): string {
  const xml = buildDocumentOf(profile, model, header);
  const reading = readCimDocument(Buffer.from(xml), LIMITS);
  assert.ok(reading.accepted, reading.accepted ? '' : `refused: ${JSON.stringify(reading.problem.items.slice(0, 5))}`);
  assert.deepEqual(reading.document.model, model);
  assert.deepEqual(reading.document.header, header);
  if (!options.once) assert.equal(buildDocumentOf(profile, reading.document.model, reading.document.header), xml);
  return xml;
}

/** As `assertLossless`, and the text is valid against the official XSD too. */
function assertRoundTrip(profile: CimProfile, model: unknown, header: unknown, official: CompiledSchema, options: { once?: boolean } = {}): string {
  const xml = assertLossless(profile, model, header, options);
  assert.deepEqual(schemaViolations(xml, official), [], `not valid against ${profile.official.file}`);
  return xml;
}

interface PropertyCase {
  profile: CimProfile;
  header: fc.Arbitrary<unknown>;
  model: fc.Arbitrary<unknown>;
  large?: (entries: number) => unknown;
  entries: string;
}

const cases: PropertyCase[] = [
  {
    profile: constraintLookAheadProfile,
    header: generate.documentHeader(35),
    model: generate.constraintLookAhead(2),
    large: largeLookAhead,
    entries: 'constraints',
  },
  { profile: meritOrderListProfile, header: generate.documentHeader(), model: generate.meritOrderList(4), large: largeMeritOrderList, entries: 'entries' },
  {
    profile: dispatchInstructionProfile,
    header: generate.documentHeader(),
    model: generate.dispatchInstruction(3),
    large: largeDispatchInstruction,
    entries: 'instructions',
  },
  {
    profile: deliveryVerificationProfile,
    header: generate.documentHeader(),
    model: generate.deliveryVerification(3),
    large: largeDeliveryVerification,
    entries: 'resources',
  },
  { profile: acknowledgementProfile, header: generate.acknowledgementHeader, model: generate.acknowledgement, entries: 'reasons' },
];

const fixedHeader: DocumentHeader = {
  mRID: 'a7f3c2d14e5b4f6a8b9c0d1e2f3a4b5c',
  revisionNumber: 1,
  createdDateTime: '2024-10-17T13:00:00Z',
  sender: { mRID: 'GB-DSO-1', codingScheme: 'NGB', role: 'A50' },
  receiver: { mRID: '10X1001A1001A57U', codingScheme: 'A01', role: 'A56' },
};

describe('CIM profiles: lossless both ways, valid against our XSD and the official one', function () {
  this.timeout(120_000);
  let pool: OfficialValidationPool;
  // Official validation of the generated documents runs in child processes while the tests go on; the last test collects it.
  const officialChecks: Promise<void>[] = [];
  before(() => {
    pool = new OfficialValidationPool();
  });
  after(() => pool.close());

  for (const c of cases) {
    describe(c.profile.title, () => {
      let official: CompiledSchema;
      before(function () {
        official = officialSchema(this, c.profile);
      });

      it(`round-trips ${RUNS} generated documents (60-character ids, markup characters, zero and negative kW, clock-change days)`, async () => {
        const seed = propertySeed(c.profile.id);
        await fc.assert(
          fc.asyncProperty(c.header, c.model, async (header, model) => {
            const xml = assertLossless(c.profile, model, header);
            officialChecks.push(
              pool.validate(official.path, xml).then((violations) => {
                assert.deepEqual(violations, [], `${c.profile.id}, seed ${seed}: not valid against ${c.profile.official.file}:\n${xml.slice(0, 2000)}`);
              }),
            );
            // Lets the children receive their work while this test goes on.
            await new Promise(setImmediate);
          }),
          { seed, numRuns: RUNS },
        );
      });

      if (c.large) {
        const large = c.large;
        for (const size of [1, 10_000]) {
          // The stability of the text is the property tests' job; here the size is.
          it(`converts a document of ${size.toLocaleString('en-GB')} ${c.entries} to CIM and back`, function () {
            const started = performance.now();
            const header = c.profile === constraintLookAheadProfile ? fixedHeader : { ...fixedHeader, mRID: 'LARGE-DOCUMENT' };
            const xml = assertRoundTrip(c.profile, large(size), header, official, { once: true });
            if (size > 1)
              console.log(
                `      ${size} ${c.entries}: ${(xml.length / 1e6).toFixed(1)} MB of XML, ${Math.round(performance.now() - started)} ms there and back`,
              );
          });
        }
      }
    });
  }

  describe('interoperability', () => {
    it(`every generated document (${RUNS} per profile) is valid against the official XSD of its document`, async function () {
      // Each profile's official XSD; skips loudly, as the property tests did, without ../shared.
      for (const c of cases) officialSchema(this, c.profile);
      assert.equal(officialChecks.length, RUNS * cases.length);
      await Promise.all(officialChecks);
    });
  });
});

describe('the BiTraDER fixtures (read by the ANM decoder) as CIM documents', () => {
  const decodeFixture = <K extends AnmDocumentKind>(context: Mocha.Context, name: BitraderFixture, kind: K) =>
    decodeAnmDocument(kind, bitraderFixture(context, name), 'text/tab-separated-values');

  it('figure 5, the constraint look-ahead: one TimeSeries for C1, 2000 kW, ten resources', function () {
    const lookAhead = decodeFixture(this, 'cla-figure5.tsv', 'constraint-look-ahead');
    const xml = assertRoundTrip(constraintLookAheadProfile, lookAhead, fixedHeader, officialSchema(this, constraintLookAheadProfile));
    assert.match(xml, /<start>2024-10-18T07:00Z<\/start>\s*<end>2024-10-18T07:30Z<\/end>/, '08:00 BST is 07:00 UTC, one settlement period');
    assert.equal(xml.match(/<name>C1<\/name>/g)?.length, 1);
    assert.equal(xml.match(/<quantity\.quantity>2000<\/quantity\.quantity>/g)?.length, 1);
    assert.equal(xml.match(/<RegisteredResource>/g)?.length, 10);
  });

  it('figures 6 and 7: the traded list is the next revision of the same mRID, with a reason on each traded entry', function () {
    const official = officialSchema(this, meritOrderListProfile);
    const original = decodeFixture(this, 'mol-original-figure6.tsv', 'merit-order-list');
    const traded = decodeFixture(this, 'mol-traded-figure7.tsv', 'merit-order-list');
    const originalXml = assertRoundTrip(meritOrderListProfile, original, { ...fixedHeader, mRID: 'MOL-2024-10-18T0800' }, official);
    const tradedXml = assertRoundTrip(meritOrderListProfile, traded, { ...fixedHeader, mRID: 'MOL-2024-10-18T0800', revisionNumber: 2 }, official);

    assert.match(originalXml, /<text>issuedAt=2024-10-17T13:00:00Z periodStart=unstated<\/text>/, 'figure 6 states no period');
    assert.equal(originalXml.match(/<code>A73<\/code>/g), null, 'nothing traded before trading');
    assert.match(tradedXml, /<revisionNumber>2<\/revisionNumber>/);
    assert.match(tradedXml, /<text>scenario=1 receivedAt=2024-10-17T20:08:45Z<\/text>/);
    assert.equal(tradedXml.match(/<code>A73<\/code>/g)?.length, traded.entries.filter((e) => e.traded).length);
    assert.match(
      tradedXml,
      /<marketAgreement\.mRID>A1_Buyer-2-2024-10-18<\/marketAgreement\.mRID>\s*<priority>8<\/priority>/,
      'split contracts keep their place',
    );
    assert.match(tradedXml, /<quantity\.quantity>-600<\/quantity\.quantity>/, 'sellers keep their negative sign');
  });

  it('every ANM field of figure 7 is carried: MIC, MEC, activity, registered, traded, resource name', function () {
    const traded = decodeFixture(this, 'mol-traded-figure7.tsv', 'merit-order-list');
    const xml = buildDocument(meritOrderListProfile, traded, fixedHeader);
    assert.match(xml, /<text>activity=Buyer mic_kW=700 mec_kW=1200 registered=true<\/text>/);
    assert.match(xml, /<text>resourceName=Asset_1<\/text>/);
  });
});
