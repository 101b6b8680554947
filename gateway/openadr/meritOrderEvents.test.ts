import assert from 'node:assert/strict';
import { demandBuyer, generationBuyer, listOf, seller } from '../adapter/testing/listBuilder.ts';
import { eventEnd } from '../../protocol/time/eventTiming.ts';
import { meritOrderEvents } from './meritOrderEvents.ts';

const period = { start: '2024-10-18T07:00:00.000Z', end: '2024-10-18T08:00:00.000Z' };
const options = (services: Record<string, 'demand-turn-down' | 'generation-turn-down'> = {}) => ({
  programID: 'p1',
  intervalMinutes: 30,
  sellerServices: new Map(Object.entries(services)),
});

describe('merit order list → OpenADR events', function () {
  const list = listOf(
    seller('S_down', 'R_S1', { mic_kW: 300 }, { value_kW: -300, traded: true }),
    seller('S_gen', 'R_S2', { mec_kW: 200 }, { value_kW: -200, traded: true }),
    demandBuyer('D1', 'R_D1', 400, { value_kW: 300, traded: true }),
    generationBuyer('G1', 'R_G1', 500, { value_kW: 200, traded: true }),
    demandBuyer('D2', 'R_D2', 100),
  );
  const events = meritOrderEvents(list, { id: 'mol-1', revision: 2 }, period, options({ s_down: 'demand-turn-down', s_gen: 'generation-turn-down' }));

  it('makes one event per entry with a non-zero instruction, keyed by list and contract', function () {
    assert.deepEqual([...events.keys()], ['mol-1/S_down', 'mol-1/S_gen', 'mol-1/D1', 'mol-1/G1']);
  });

  it('chooses the payload by connection and the seller’s sign by the direction its service moves consumption', function () {
    const first = (key: string) => events.get(key)!.intervals![0]!.payloads[0]!;
    assert.deepEqual(first('mol-1/S_down'), { type: 'DISPATCH_SETPOINT_RELATIVE', values: [-300] });
    assert.deepEqual(first('mol-1/S_gen'), { type: 'DISPATCH_SETPOINT_RELATIVE', values: [200] }, 'generation turned down raises net consumption');
    assert.deepEqual(first('mol-1/D1'), { type: 'IMPORT_CAPACITY_LIMIT', values: [300] });
    assert.deepEqual(first('mol-1/G1'), { type: 'EXPORT_CAPACITY_LIMIT', values: [200] });
  });

  it('covers the constraint period in settlement periods, kW in the descriptor, targets the resource and contract', function () {
    const event = events.get('mol-1/D1')!;
    assert.deepEqual(
      event.intervals!.map((i) => i.intervalPeriod!.start),
      ['2024-10-18T07:00:00.000Z', '2024-10-18T07:30:00.000Z'],
    );
    assert.deepEqual(event.payloadDescriptors, [{ objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IMPORT_CAPACITY_LIMIT', units: 'KW' }]);
    assert.deepEqual(event.targets, ['R_D1', 'D1']);
    assert.equal(event.eventName, 'merit-order-list mol-1 revision 2 contract D1');
    assert.equal(eventEnd(event), Date.parse(period.end));
  });

  it('tells when an event is over, and treats one without a start as active', function () {
    assert.equal(
      eventEnd({
        intervalPeriod: { start: '2030-01-01T00:00:00Z', duration: 'PT1H' },
        intervals: [
          { id: 0, payloads: [] },
          { id: 1, payloads: [] },
        ],
      }),
      Date.parse('2030-01-01T02:00:00Z'),
    );
    assert.equal(eventEnd({ intervals: [{ id: 0, payloads: [] }] }), undefined);
    assert.equal(eventEnd({ intervalPeriod: { start: '0001-01-01T00:00:00Z' }, intervals: [{ id: 0, payloads: [] }] }), undefined);
  });
});
