import type { Asset } from '../../schemas/registry/registry.ts';

/**
 * The ENA D2 minimum fields a dispatch names besides its resource and
 * contract: the registered asset's DSO asset id, asset group and energy
 * source. OpenADR 3.1.0 targets are untyped strings, so each is written
 * `TYPE:value`; 3.0.1 clients see them among the target values.
 */
export const ENA_TARGET_TYPES = ['DSO_ASSET_ID', 'ASSET_GROUP', 'ENERGY_SOURCE'] as const;
export type EnaTargetType = (typeof ENA_TARGET_TYPES)[number];

const ENA_TARGET = new RegExp(`^(${ENA_TARGET_TYPES.join('|')}):`);

export const enaTarget = (type: EnaTargetType, value: string) => `${type}:${value}`;

export function enaTargetsOf(asset: Asset): string[] {
  return [enaTarget('DSO_ASSET_ID', asset.dsoAssetId), enaTarget('ASSET_GROUP', asset.assetGroupId), enaTarget('ENERGY_SOURCE', asset.energySource)];
}

/** Describes an instruction rather than addressing it: never grants a VEN sight of an event (privacy.ts). */
export const isEnaTarget = (target: string) => ENA_TARGET.test(target);
