import assert from 'node:assert/strict';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { acknowledgementProfile } from '../acknowledgement.ts';
import { constraintLookAheadProfile } from '../constraintLookAhead.ts';
import { deliveryVerificationProfile } from '../deliveryVerification.ts';
import { dispatchInstructionProfile } from '../dispatchInstruction.ts';
import { meritOrderListProfile } from '../meritOrderList.ts';
import type { DispatchInstruction } from '../models/dispatchInstruction.ts';
import { buildDocument } from './builder.ts';
import type { Profile } from './declaration.ts';
import { parseDocument } from './parser.ts';
import { ProfileViolation } from './violation.ts';
import { documentHeader } from '../testing/headers.ts';

const header = documentHeader({ mRID: 'DOC-1', createdDateTime: '2024-10-17T13:10:00Z' });

const list: MeritOrderList = {
  issuedAt: '2024-10-17T13:00:00Z',
  entries: [
    {
      order: 1,
      contractId: 'A1_Buyer',
      resourceId: 'G1_A1',
      resourceName: 'Asset 1',
      operationType: 'ConstrainedDemand',
      value_kW: 600,
      mic_kW: 700,
      mec_kW: 1200,
      activity: 'Buyer',
      traded: true,
      registered: true,
    },
    {
      order: 2,
      contractId: 'Agg_Seller_1',
      resourceId: 'G1_Agg1',
      operationType: 'FlexibleOutputChange',
      value_kW: -600,
      mic_kW: 600,
      mec_kW: 0,
      activity: 'Seller',
      traded: true,
      registered: true,
      curtailmentIndex: 4,
    },
  ],
};

const lookAhead: ConstraintLookAhead = {
  constraints: [
    {
      constraintId: 'C1',
      start: '2024-10-18T07:00:00Z',
      end: '2024-10-18T08:00:00Z',
      size_kW: 2000,
      resources: [{ resourceId: 'G1_A1' }, { resourceId: 'G1_A2' }],
    },
  ],
};

const dispatch: DispatchInstruction = {
  start: '2024-10-18T07:00:00Z',
  end: '2024-10-18T08:00:00Z',
  instructions: [{ contractId: 'A1_Buyer', resourceId: 'G1_A1', operationType: 'ConstrainedDemand', values_kW: [600, 300] }],
};

function violationOf(action: () => unknown): ProfileViolation {
  try {
    action();
  } catch (error) {
    if (error instanceof ProfileViolation) return error;
    throw error;
  }
  assert.fail('expected a ProfileViolation');
}

/** Parses a valid document after one textual change and returns the issues found. */
function refusal(profile: Profile, xml: string, from: string | RegExp, to: string) {
  const changed = xml.replace(from, to);
  assert.notEqual(changed, xml, `the test's change ${String(from)} matched nothing`);
  return violationOf(() => parseDocument(profile, changed)).issues;
}

describe('profile rules beyond the XSD', () => {
  const molXml = buildDocument(meritOrderListProfile, list, header);
  const claXml = buildDocument(constraintLookAheadProfile, lookAhead, header);
  const dispatchXml = buildDocument(dispatchInstructionProfile, dispatch, header);

  it('reads back what it wrote', () => {
    assert.deepEqual(parseDocument(meritOrderListProfile, molXml), { header, model: list });
    assert.deepEqual(parseDocument(constraintLookAheadProfile, claXml), { header, model: lookAhead });
    assert.deepEqual(parseDocument(dispatchInstructionProfile, dispatchXml), { header, model: dispatch });
  });

  describe('refuses, at the failing element, a document with', () => {
    const cases: { name: string; profile: Profile; xml: () => string; from: string | RegExp; to: string; path: string; detail: RegExp }[] = [
      {
        name: 'a gap in the Point positions',
        profile: dispatchInstructionProfile,
        xml: () => dispatchXml,
        from: '<position>2</position>',
        to: '<position>3</position>',
        path: '/Activation_MarketDocument/TimeSeries[1]/Period/Point[2]/position',
        detail: /positions must run from 1/,
      },
      {
        name: 'fewer points than the interval has settlement periods',
        profile: constraintLookAheadProfile,
        xml: () => claXml,
        from: /<Point>\s*<position>2<\/position>[\s\S]*?<\/Point>\s*(?=<\/Period>)/,
        to: '',
        path: '/ConstraintNetworkElement_MarketDocument/TimeSeries[1]/Period/Point',
        detail: /has 1 points; .* needs 2/,
      },
      {
        name: 'an interval that does not end after it starts',
        profile: dispatchInstructionProfile,
        xml: () => dispatchXml,
        from: '<end>2024-10-18T08:00Z</end>\n  </activation_Time_Period.timeInterval>',
        to: '<end>2024-10-18T07:00Z</end>\n  </activation_Time_Period.timeInterval>',
        path: '/Activation_MarketDocument/TimeSeries[1]/Period/Point',
        detail: /does not end after it starts/,
      },
      {
        name: 'an interval bound off the half-hour grid',
        profile: dispatchInstructionProfile,
        xml: () => dispatchXml,
        from: '<start>2024-10-18T07:00Z</start>\n    <end>2024-10-18T08:00Z</end>\n  </activation',
        to: '<start>2024-10-18T07:15Z</start>\n    <end>2024-10-18T08:00Z</end>\n  </activation',
        path: '/Activation_MarketDocument/activation_Time_Period.timeInterval/start',
        detail: /not a valid IntervalBound/,
      },
      {
        name: 'a date that is not in the calendar',
        profile: dispatchInstructionProfile,
        xml: () => dispatchXml,
        from: '<start>2024-10-18T07:00Z</start>\n    <end>2024-10-18T08:00Z</end>\n  </activation',
        to: '<start>2024-02-30T07:00Z</start>\n    <end>2024-10-18T08:00Z</end>\n  </activation',
        path: '/Activation_MarketDocument/activation_Time_Period.timeInterval/start',
        detail: /not a calendar time/,
      },
      {
        name: 'a series copy of the window that disagrees with it',
        profile: dispatchInstructionProfile,
        xml: () => dispatchXml,
        from: /(<Period>\s*<timeInterval>\s*<start>)2024-10-18T07:00Z/,
        to: '$12024-10-18T06:30Z',
        path: '/Activation_MarketDocument/TimeSeries[1]/Period/timeInterval/start',
        detail: /must repeat "2024-10-18T07:00Z"/,
      },
      {
        name: 'a point that carries a different constraint from the first',
        profile: constraintLookAheadProfile,
        xml: () => claXml,
        from: /(<position>2<\/position>[\s\S]*?<quantity\.quantity>)2000/,
        to: '$11999',
        path: '/ConstraintNetworkElement_MarketDocument/TimeSeries[1]/Period/Point[2]',
        detail: /differs from the first point/,
      },
      {
        name: 'a merit order that does not follow the TimeSeries',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: '<priority>2</priority>',
        to: '<priority>3</priority>',
        path: '/MeritOrderList_MarketDocument/TimeSeries[2]/priority',
        detail: /expected 2/,
      },
      {
        name: 'a code outside the profile list',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: '<businessType>A76</businessType>',
        to: '<businessType>A01</businessType>',
        path: '/MeritOrderList_MarketDocument/TimeSeries[1]/businessType',
        detail: /not one of A76, C55, A85/,
      },
      {
        name: 'an mRID longer than the document allows',
        profile: constraintLookAheadProfile,
        xml: () => claXml,
        from: '<mRID>DOC-1</mRID>',
        to: `<mRID>${'D'.repeat(36)}</mRID>`,
        path: '/ConstraintNetworkElement_MarketDocument/mRID',
        detail: /has 36 characters; at most 35/,
      },
      {
        name: 'a complementary fact the profile does not know',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: 'registered=true</text>',
        to: 'registered=true colour=red</text>',
        path: '/MeritOrderList_MarketDocument/TimeSeries[1]/Reason[1]',
        detail: /"colour=red" is not a fact/,
      },
      {
        name: 'complementary facts out of order',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: 'activity=Buyer mic_kW=700',
        to: 'mic_kW=700 activity=Buyer',
        path: '/MeritOrderList_MarketDocument/TimeSeries[1]/Reason[1]',
        detail: /repeated or out of order/,
      },
      {
        name: 'a reason given twice',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: '<code>A73</code>\n    </Reason>',
        to: '<code>A73</code>\n    </Reason>\n    <Reason>\n      <code>A73</code>\n    </Reason>',
        path: '/MeritOrderList_MarketDocument/TimeSeries[1]/Reason[4]',
        detail: /given twice/,
      },
      {
        name: 'a traded reason with text',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: '<code>A73</code>',
        to: '<code>A73</code>\n      <text>yes</text>',
        path: '/MeritOrderList_MarketDocument/TimeSeries[1]/Reason[3]',
        detail: /carries no text/,
      },
      {
        name: 'an unstated period that is not the settlement period of createdDateTime',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: /(<period\.timeInterval>\s*<start>)2024-10-17T13:00Z(<\/start>\s*<end>)2024-10-17T13:30Z/,
        to: '$12024-10-17T13:30Z$22024-10-17T14:00Z',
        path: '/MeritOrderList_MarketDocument/period.timeInterval/start',
        detail: /must be the settlement period of createdDateTime/,
      },
      {
        name: 'an element the profile does not use',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: '<priority>1</priority>',
        to: '<priority>1</priority>\n    <resourceProvider_MarketParticipant.mRID codingScheme="NGB">X</resourceProvider_MarketParticipant.mRID>',
        path: '/MeritOrderList_MarketDocument/TimeSeries[1]/resourceProvider_MarketParticipant.mRID',
        detail: /not part of this profile/,
      },
      {
        name: 'a required fact missing',
        profile: meritOrderListProfile,
        xml: () => molXml,
        from: 'activity=Buyer mic_kW=700 mec_kW=1200 registered=true',
        to: 'activity=Buyer mic_kW=700 registered=true',
        path: "/MeritOrderList_MarketDocument/TimeSeries[1]/Reason[code='A95']",
        detail: /mec_kW/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const issues = refusal(c.profile, c.xml(), c.from, c.to);
        const issue = issues.find((i) => i.path === c.path);
        assert.ok(issue, `no issue at ${c.path}: ${JSON.stringify(issues)}`);
        assert.equal(issue.code, 'cim.rule-violation');
        assert.match(issue.detail, c.detail);
      });
    }
  });

  describe('checks a value every entry shares (the list period) entry by entry, however many entries', () => {
    const entries = (count: number) =>
      Array.from({ length: count }, (_, k) => ({ ...list.entries[0]!, order: k + 1, contractId: `C${k + 1}`, resourceId: `R${k + 1}` }));
    const bidStarts = /<bid_Period\.timeInterval>\s*<start>2024-10-17T13:00Z<\/start>/g;
    const bidStart = (text: string) => `<bid_Period.timeInterval>\n      <start>${text}</start>`;
    const startPath = (k: number) => `/MeritOrderList_MarketDocument/TimeSeries[${k}]/bid_Period.timeInterval/start`;

    it('reports each entry that differs, with the text it gave, and none that agrees', () => {
      const xml = buildDocument(meritOrderListProfile, { entries: entries(3) }, header);
      let k = 0;
      const changed = xml.replace(bidStarts, (match) => {
        k++;
        return k === 1 ? bidStart('2024-10-17T12:00Z') : k === 3 ? bidStart('2024-10-17T14:00Z') : match;
      });
      const issues = violationOf(() => parseDocument(meritOrderListProfile, changed)).issues.filter((issue) =>
        issue.path.endsWith('bid_Period.timeInterval/start'),
      );
      assert.deepEqual(
        issues.map((issue) => [issue.path, issue.detail.slice(0, 22)]),
        [
          [startPath(1), 'is "2024-10-17T12:00Z"'],
          [startPath(3), 'is "2024-10-17T14:00Z"'],
        ],
      );
    });

    it('reports as many differing entries as a reading reports (100), in document order', () => {
      const xml = buildDocument(meritOrderListProfile, { entries: entries(150) }, header);
      const issues = violationOf(() => parseDocument(meritOrderListProfile, xml.replace(bidStarts, bidStart('2024-10-17T12:00Z')))).issues;
      assert.equal(issues.length, 100);
      assert.deepEqual(
        issues.slice(0, 3).map((issue) => issue.path),
        [1, 2, 3].map(startPath),
      );
    });

    it('a fact given only after the entries (periodStart=unstated) decides what each entry must say', () => {
      const xml = buildDocument(meritOrderListProfile, { issuedAt: list.issuedAt, entries: entries(2) }, header);
      assert.ok(xml.indexOf('periodStart=unstated') > xml.lastIndexOf('<TimeSeries>'), 'the fact comes after the entries');
      // Unstated, the period is that of createdDateTime: created an hour later, every entry's period is an hour off.
      const later = xml.replace('<createdDateTime>2024-10-17T13:10:00Z</createdDateTime>', '<createdDateTime>2024-10-17T14:10:00Z</createdDateTime>');
      const paths = violationOf(() => parseDocument(meritOrderListProfile, later)).issues.map((issue) => issue.path);
      for (const k of [1, 2]) assert.ok(paths.includes(startPath(k)), `no issue at ${startPath(k)}: ${paths.join(', ')}`);
      // Stated (the fact taken out), the period is the one the document gives, whenever it was created.
      assert.equal(parseDocument(meritOrderListProfile, later.replace(/ ?periodStart=unstated/, '')).model.periodStart, '2024-10-17T13:00:00Z');
    });
  });

  describe('refuses to write, rather than approximate, a model with', () => {
    it('a constraint off the half-hour grid', () => {
      const offGrid = { constraints: [{ ...lookAhead.constraints[0]!, start: '2024-10-18T07:10:00Z' }] };
      const [issue] = violationOf(() => buildDocument(constraintLookAheadProfile, offGrid, header)).issues;
      assert.equal(issue?.code, 'cim.not-representable');
      assert.equal(issue?.path, '/ConstraintNetworkElement_MarketDocument/time_Period.timeInterval/start', 'the horizon is the first element it reaches');
      assert.match(issue?.detail ?? '', /2024-10-18T07:10:00Z is not on the half-hour settlement grid/);
    });

    it('a document id too long for the constraint document', () => {
      const [issue] = violationOf(() => buildDocument(constraintLookAheadProfile, lookAhead, { ...header, mRID: 'x'.repeat(36) })).issues;
      assert.equal(issue?.path, '/ConstraintNetworkElement_MarketDocument/mRID');
    });

    it('a character XML cannot carry', () => {
      const acknowledgement = { reasons: [{ code: 'A01' as const, text: 'bad \uFFFF' }] };
      const { mRID, createdDateTime, sender, receiver } = header;
      const [issue] = violationOf(() => buildDocument(acknowledgementProfile, acknowledgement, { mRID, createdDateTime, sender, receiver })).issues;
      assert.match(issue?.detail ?? '', /character XML cannot carry/);
    });

    it('an id outside the identifier alphabet (schemas/anm/identifiers.ts), at its field', () => {
      const entries = [{ ...list.entries[0]!, resourceName: 'bad \uFFFF' }];
      const [issue] = violationOf(() => buildDocument(meritOrderListProfile, { entries }, header)).issues;
      assert.match(issue?.detail ?? '', /^\/entries\/0\/resourceName must match pattern/);
    });

    it('fewer values than the window has settlement periods', () => {
      const short = { ...dispatch, instructions: [{ ...dispatch.instructions[0]!, values_kW: [1] }] };
      const [issue] = violationOf(() => buildDocument(dispatchInstructionProfile, short, header)).issues;
      assert.match(issue?.detail ?? '', /values_kW has 1 values but the period has 2/);
    });

    it('entries not in merit order', () => {
      const shuffled = { entries: [list.entries[1]!, list.entries[0]!] };
      const [issue] = violationOf(() => buildDocument(meritOrderListProfile, shuffled, header)).issues;
      assert.match(issue?.detail ?? '', /merit order 1..n/);
    });

    it('a model its schema refuses', () => {
      const [issue] = violationOf(() => buildDocument(deliveryVerificationProfile, { start: 'soon', end: 'later', resources: [] }, header)).issues;
      assert.equal(issue?.code, 'cim.not-representable');
    });
  });
});
