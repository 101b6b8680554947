import type { ProblemItem } from '../../protocol/problem.ts';
import type { RegisteredAsset } from '../../profiles/models/registeredAsset.ts';
import type { Asset } from '../../schemas/registry/registry.ts';

/** The profiles whose TimeSeries name a resource, and the model array of those TimeSeries. */
const ITEMS_OF_KIND: Readonly<Record<string, string>> = {
  'merit-order-list': 'entries',
  'dispatch-instruction': 'instructions',
  'delivery-verification': 'resources',
};

type Item = Record<string, unknown> & { resourceId?: unknown; registeredAsset?: RegisteredAsset };

/** The registered asset a document states for one of its TimeSeries, by model pointer. */
export interface StatedAsset {
  readonly pointer: string;
  readonly resourceId: string;
  readonly asset: RegisteredAsset;
}

function itemsOf(kind: string, model: unknown): { key: string; items: Item[] } | undefined {
  const key = ITEMS_OF_KIND[kind];
  const items = key && typeof model === 'object' && model !== null ? (model as Record<string, unknown>)[key] : undefined;
  return key && Array.isArray(items) ? { key, items: items as Item[] } : undefined;
}

const registeredAssetOf = (asset: Asset): RegisteredAsset => ({
  dsoAssetId: asset.dsoAssetId,
  assetGroupId: asset.assetGroupId,
  energySource: asset.energySource,
});

/**
 * The model with the registry's asset behind each TimeSeries' resource (ENA
 * D2 minimum fields), as the registry says now; a resource the registry does
 * not hold carries none.
 */
export function withRegisteredAssets(kind: string, model: unknown, assetOfResource: (resourceId: string) => Asset | undefined): unknown {
  const found = itemsOf(kind, model);
  if (!found) return model;
  const items = found.items.map(({ registeredAsset: _stated, ...item }) => {
    const asset = typeof item.resourceId === 'string' ? assetOfResource(item.resourceId) : undefined;
    return asset ? { ...item, registeredAsset: registeredAssetOf(asset) } : item;
  });
  return { ...(model as Record<string, unknown>), [found.key]: items };
}

/**
 * Splits what an inbound document states about registered assets from its
 * model: the registry is their source, so they are checked
 * (`assetContradictions`) and never stored.
 */
export function separateRegisteredAssets(kind: string, model: unknown): { model: unknown; stated: StatedAsset[] } {
  const found = itemsOf(kind, model);
  if (!found) return { model, stated: [] };
  const stated: StatedAsset[] = [];
  const items = found.items.map(({ registeredAsset, ...item }, i) => {
    if (registeredAsset && typeof item.resourceId === 'string')
      stated.push({ pointer: `/${found.key}/${i}/registeredAsset`, resourceId: item.resourceId, asset: registeredAsset });
    return item;
  });
  return { model: { ...(model as Record<string, unknown>), [found.key]: items }, stated };
}

/** Every stated asset the registry contradicts: ENA D2 asks that an instruction whose DSO asset id does not match be rejected. */
export function assetContradictions(stated: readonly StatedAsset[], assetOfResource: (resourceId: string) => Asset | undefined): ProblemItem[] {
  return stated.flatMap(({ pointer, resourceId, asset }) => {
    const registered = assetOfResource(resourceId);
    if (!registered)
      return [
        {
          code: 'registry.asset-mismatch',
          detail: `Resource ${resourceId} has no registered asset, yet the document names ${asset.dsoAssetId}`,
          pointer: `${pointer}/dsoAssetId`,
        },
      ];
    const expected = registeredAssetOf(registered);
    return (['dsoAssetId', 'assetGroupId', 'energySource'] as const)
      .filter((field) => asset[field] !== expected[field])
      .map((field) => ({
        code: 'registry.asset-mismatch',
        detail: `Resource ${resourceId} is registered with ${field} ${expected[field]}, not ${asset[field]}`,
        pointer: `${pointer}/${field}`,
      }));
  });
}
