import assert from 'node:assert/strict';
import { Problem } from '../problem.ts';
import { formatUtc, parseInstant } from './ukTime.ts';
import { settlementPeriodOf } from './settlementPeriod.ts';

const utc = (text: string | number) => formatUtc(parseInstant(text));

function refusal(text: string): string {
  try {
    parseInstant(text);
  } catch (error) {
    assert.ok(error instanceof Problem);
    return error.code;
  }
  assert.fail(`${text} was accepted`);
}

describe('UK time', () => {
  describe('reading instants', () => {
    it('reads day-first UK local times in BST and GMT', () => {
      assert.equal(utc('18/10/2024 08:00'), '2024-10-18T07:00:00Z');
      assert.equal(utc('17/10/2024 14:00:00'), '2024-10-17T13:00:00Z');
      assert.equal(utc('18/12/2024 08:00'), '2024-12-18T08:00:00Z');
      assert.equal(utc('1/2/2024 8:05'), '2024-02-01T08:05:00Z');
    });

    it('reads YYYY-MM-DD HH:MM:SS as UK local time', () => {
      assert.equal(utc('2024-10-17 21:08:45'), '2024-10-17T20:08:45Z');
      assert.equal(utc('2024-01-17 21:08:45'), '2024-01-17T21:08:45Z');
    });

    it('takes ISO 8601 with an offset or Z as given', () => {
      assert.equal(utc('2024-10-18T08:00:00+01:00'), '2024-10-18T07:00:00Z');
      assert.equal(utc('2024-10-18T08:00:00Z'), '2024-10-18T08:00:00Z');
      assert.equal(utc('2024-10-18T08:00:00-0530'), '2024-10-18T13:30:00Z');
      assert.equal(utc('2024-10-18T08:00:00.250Z'), '2024-10-18T08:00:00.250Z');
    });

    it('reads Unix seconds as UTC, from text or number', () => {
      assert.equal(utc('1729195725'), '2024-10-17T20:08:45Z');
      assert.equal(utc(1729195725), '2024-10-17T20:08:45Z');
    });

    it('agrees on the figure 7 pair: 2024-10-17 21:08:45 local is 1729195725', () => {
      assert.equal(parseInstant('2024-10-17 21:08:45'), parseInstant('1729195725'));
    });

    it('refuses a local time in the spring-forward gap', () => {
      assert.equal(refusal('31/03/2024 01:30'), 'time.nonexistent-local');
      assert.equal(refusal('2024-03-31 01:00:00'), 'time.nonexistent-local');
      assert.equal(utc('31/03/2024 00:59:59'), '2024-03-31T00:59:59Z');
      assert.equal(utc('31/03/2024 02:00'), '2024-03-31T01:00:00Z');
    });

    it('refuses an ambiguous autumn local time unless an offset says which', () => {
      assert.equal(refusal('27/10/2024 01:30'), 'time.ambiguous-local');
      assert.equal(refusal('2024-10-27 01:00:00'), 'time.ambiguous-local');
      assert.equal(utc('2024-10-27T01:30:00+01:00'), '2024-10-27T00:30:00Z');
      assert.equal(utc('2024-10-27T01:30:00+00:00'), '2024-10-27T01:30:00Z');
      assert.equal(utc('27/10/2024 02:00'), '2024-10-27T02:00:00Z');
      assert.equal(utc('27/10/2024 00:59'), '2024-10-26T23:59:00Z');
    });

    it('refuses what is not a time, with the time.invalid code', () => {
      for (const bad of ['', 'tomorrow', '31/02/2024 08:00', '2024-13-01 00:00:00', '18/10/2024 24:00', '2024-10-18T08:00:00+25:00', '1729195725000']) {
        assert.equal(refusal(bad), 'time.invalid', bad);
      }
    });
  });

  describe('settlement periods', () => {
    it('numbers an ordinary day 1..48', () => {
      assert.deepEqual(settlementPeriodOf(Date.parse('2024-10-18T07:00:00Z')), {
        settlementDate: '2024-10-18',
        period: 17,
        periodsInDay: 48,
        startEpochMs: Date.parse('2024-10-18T07:00:00Z'),
      });
      assert.equal(settlementPeriodOf(Date.parse('2024-01-15T00:00:00Z')).period, 1);
      assert.equal(settlementPeriodOf(Date.parse('2024-01-15T23:59:59Z')).period, 48);
    });

    it('has 46 periods on 2024-03-31, when clocks go forward', () => {
      const first = settlementPeriodOf(Date.parse('2024-03-31T00:00:00Z'));
      assert.equal(first.periodsInDay, 46);
      assert.equal(first.period, 1);
      assert.equal(settlementPeriodOf(Date.parse('2024-03-31T00:59:59Z')).period, 2);
      assert.equal(settlementPeriodOf(Date.parse('2024-03-31T01:00:00Z')).period, 3);
      const last = settlementPeriodOf(Date.parse('2024-03-31T22:59:59Z'));
      assert.deepEqual([last.settlementDate, last.period], ['2024-03-31', 46]);
      assert.equal(settlementPeriodOf(Date.parse('2024-03-31T23:00:00Z')).settlementDate, '2024-04-01');
    });

    it('has 50 periods on 2024-10-27, when clocks go back', () => {
      const start = settlementPeriodOf(Date.parse('2024-10-26T23:00:00Z'));
      assert.deepEqual([start.settlementDate, start.period, start.periodsInDay], ['2024-10-27', 1, 50]);
      assert.equal(settlementPeriodOf(Date.parse('2024-10-27T00:30:00Z')).period, 4);
      assert.equal(settlementPeriodOf(Date.parse('2024-10-27T01:30:00Z')).period, 6);
      const last = settlementPeriodOf(Date.parse('2024-10-27T23:59:59Z'));
      assert.deepEqual([last.period, last.periodsInDay], [50, 50]);
    });
  });
});
