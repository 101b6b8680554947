import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { hostileMeritOrderList } from '../testing/hostileCimPost.ts';
import { readCimDocument } from './inbound.ts';
import { leadingPart } from './leadingPart.ts';

const ROOT = meritOrderListProfile.root;

describe("a refused document's leading part (its header draft, issue 14)", () => {
  it('keeps the root and its header, and none of a hostile body of siblings', () => {
    const text = hostileMeritOrderList(100_000).toString();
    const part = leadingPart(meritOrderListProfile, text);
    assert.ok(part.length < 2048, `${part.length} characters`);
    assert.ok(!part.includes('<x/>'));
    assert.match(part, /<mRID>HOSTILE-100000<\/mRID>/);
    assert.match(part, /<createdDateTime>2024-10-17T13:00:00Z<\/createdDateTime>/);
    assert.ok(part.trimEnd().endsWith(`</${ROOT}>`));
    assert.equal(XMLValidator.validate(part), true);
  });

  it('keeps each leading element once: a repeated one ends the part', () => {
    const text = hostileMeritOrderList(0).toString();
    const repeated = text.replace('<revisionNumber>', `${'<mRID>AGAIN</mRID>'.repeat(50_000)}<revisionNumber>`);
    const part = leadingPart(meritOrderListProfile, repeated);
    assert.ok(!part.includes('AGAIN'));
    assert.equal(XMLValidator.validate(part), true);
  });

  it('stops after 64 KiB, closing every element left open', () => {
    const text = hostileMeritOrderList(0).toString();
    const deep = text.replace('<start>', `<start>${'<y>'.repeat(20)}${'<z/>'.repeat(50_000)}${'</y>'.repeat(20)}`);
    const part = leadingPart(meritOrderListProfile, deep);
    assert.ok(part.length < 64 * 1024 + 1024, `${part.length} characters`);
    assert.equal(XMLValidator.validate(part), true);
  });

  it('addresses the refusal of 200,000 siblings from what the header says', () => {
    const reading = readCimDocument(hostileMeritOrderList(200_000));
    assert.ok(!reading.accepted);
    assert.equal(reading.problem.code, 'cim.schema-invalid');
    assert.deepEqual(reading.peek, {
      mRID: 'HOSTILE-200000',
      revisionNumber: 1,
      createdDateTime: '2024-10-17T13:00:00Z',
      sender: { mRID: 'GB-DSO', codingScheme: 'NGB', role: 'A50' },
      receiver: { mRID: 'GB-FSP', codingScheme: 'NGB', role: 'A56' },
    });
  });
});
