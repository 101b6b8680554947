import { ENERGY_SOURCES, type EnergySource } from '../../schemas/registry/registry.ts';
import { describeTarget } from '../machinery/bindings.ts';
import { CodecError, oneOfCodec } from '../machinery/codecs.ts';
import { getField, setField, type Fact, type FieldTarget, type ReasonKind } from '../machinery/declaration.ts';
import { COMPLEMENTARY_INFORMATION, complementaryFacts, fieldFact } from '../machinery/reasonKinds.ts';
import { PSR_TYPE_OF_ENERGY_SOURCE } from '../models/registeredAsset.ts';

const ENERGY_SOURCE = 'registeredAsset.energySource';

/** `label=` then an id verbatim (ids may hold spaces and `=`, so they cannot be facts). */
function labelledId(label: 'dsoAssetId' | 'assetGroupId'): ReasonKind {
  const target: FieldTarget = { on: 'item', key: `registeredAsset.${label}` };
  const prefix = `${label}=`;
  return {
    code: COMPLEMENTARY_INFORMATION,
    describe: `\`${prefix}\` then ${describeTarget(target)} verbatim`,
    targets: [target],
    write(scope) {
      const value = getField(scope.item, target.key);
      if (value === undefined) return undefined;
      if (typeof value !== 'string') throw new CodecError(`${label} is not text`);
      return { code: COMPLEMENTARY_INFORMATION, text: prefix + value };
    },
    claims: (entry) => entry.code === COMPLEMENTARY_INFORMATION && entry.text !== undefined && entry.text.startsWith(prefix),
    read(entry, scope) {
      setField(scope.item, target.key, (entry.text ?? '').slice(prefix.length));
    },
  };
}

const psrTypeOf = (source: unknown) =>
  (ENERGY_SOURCES as readonly unknown[]).includes(source) ? PSR_TYPE_OF_ENERGY_SOURCE[source as EnergySource].code : undefined;

const energySourceFact: Fact = (() => {
  const fact = fieldFact('item', ENERGY_SOURCE, oneOfCodec(ENERGY_SOURCES));
  return {
    ...fact,
    key: 'energySource',
    read(value, scope, state, path) {
      fact.read(value, scope, state, path);
      state.afterRead(() => {
        if (state.vars.get(`psrType ${path}`) !== true) state.issue(path, 'energySource needs its psrType fact after it (the ENTSO-E PsrType of the source)');
      });
    },
  };
})();

/** Derived from the energy source, and checked against it on reading. */
const psrTypeFact: Fact = {
  key: 'psrType',
  describe: `the ENTSO-E PsrType of \`${ENERGY_SOURCE}\`: ${Object.entries(PSR_TYPE_OF_ENERGY_SOURCE)
    .map(([source, psr]) => `${source} ${psr.code}`)
    .join(', ')}`,
  write: (scope) => psrTypeOf(getField(scope.item, ENERGY_SOURCE)),
  read(value, scope, state, path) {
    state.vars.set(`psrType ${path}`, true);
    const expected = psrTypeOf(getField(scope.item, ENERGY_SOURCE));
    if (value !== expected) state.issue(path, `psrType ${value} is not the PsrType of the energySource before it (${expected ?? 'none given'})`);
  },
};

/**
 * The registered asset behind a TimeSeries' resource (ENA D2 minimum fields:
 * DSO asset id, asset group, energy source) as complementary information
 * (A95): none of the activation, merit order list and measurement data
 * documents has an element for them (`mktPSRType.psrType` exists only in
 * other ESMP documents), so the PsrType travels as a fact beside our code.
 */
export const registeredAssetReasons: readonly ReasonKind[] = [
  labelledId('dsoAssetId'),
  labelledId('assetGroupId'),
  complementaryFacts([energySourceFact, psrTypeFact]),
];
