import assert from 'node:assert/strict';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import type { Asset } from '../../schemas/registry/registry.ts';
import { demandBuyer, generationBuyer, listOf } from '../adapter/testing/listBuilder.ts';
import { isEnaTarget } from './enaTargets.ts';
import { meritOrderEvents } from './meritOrderEvents.ts';
import type { StoredObject } from './objectTable.ts';
import { targetedAt } from './privacy.ts';

const period = { start: '2024-10-18T07:00:00.000Z', end: '2024-10-18T08:00:00.000Z' };
const registered: Asset = {
  dsoAssetId: 'ENWL-R_D1',
  resourceId: 'R_D1',
  assetGroupId: 'GRP-1',
  energySource: 'battery',
  mic_kW: 400,
  mec_kW: 400,
  connectionPoint: 'C1-PRIMARY',
  fspPartyId: 'fsp-1',
};

describe('ENA minimum fields in OpenADR events', function () {
  const list = listOf(demandBuyer('D1', 'R_D1', 400, { value_kW: 300, traded: true }), generationBuyer('G1', 'R_G1', 500, { value_kW: 200, traded: true }));
  const events = meritOrderEvents(
    list,
    { id: 'mol-1', revision: 1 },
    period,
    // Resources are matched without regard to case, as the registry index does.
    { programID: 'p1', intervalMinutes: 30, sellerServices: new Map(), assetOf: (r) => (r.toLowerCase() === 'r_d1' ? registered : undefined) },
  );

  it('names a registered asset’s DSO asset id, asset group and energy source after resource and contract', function () {
    assert.deepEqual(events.get('mol-1/D1')!.targets, ['R_D1', 'D1', 'DSO_ASSET_ID:ENWL-R_D1', 'ASSET_GROUP:GRP-1', 'ENERGY_SOURCE:battery']);
  });

  it('leaves an unregistered resource’s event as it was', function () {
    const unregistered = meritOrderEvents(list, { id: 'mol-1', revision: 1 }, period, { programID: 'p1', intervalMinutes: 30, sellerServices: new Map() });
    assert.deepEqual(events.get('mol-1/G1'), unregistered.get('mol-1/G1'));
    assert.deepEqual(events.get('mol-1/G1')!.targets, ['R_G1', 'G1']);
  });

  it('stays a valid event of the official OpenADR 3.1.0 document', function () {
    const spec = OfficialSpec.load(this);
    const event = { id: 'e1', createdDateTime: period.start, modificationDateTime: period.start, objectType: 'EVENT', ...events.get('mol-1/D1')! };
    const { dispatchStage: _ours, ...official } = event;
    assert.deepEqual(spec.errorsAt('#/components/schemas/event', official), []);
  });

  it('grants no one sight of an event: only resource and contract targets do', function () {
    const targets = events.get('mol-1/D1')!.targets!;
    const stored = { targets } as StoredObject<unknown>;
    for (const ena of targets.filter(isEnaTarget)) assert.equal(targetedAt(stored, new Set([ena])), false, ena);
    assert.equal(targetedAt(stored, new Set(['R_D1'])), true);
    assert.equal(targetedAt(stored, new Set(['D1'])), true);
    assert.deepEqual(
      targets.filter((t) => !isEnaTarget(t)),
      ['R_D1', 'D1'],
    );
  });
});
