import { Problem, type ProblemItem } from '../../protocol/problem.ts';
import { ENERGY_SOURCES, type Asset, type EnergySource } from '../../schemas/registry/registry.ts';

/**
 * The asset rows of the ENA Open Networks flexibility services
 * pre-qualification template (asset registration, as BiTraDER's platform
 * uses it; seed 001 §5.1.3), as CSV. Headers are matched without regard to
 * case, spaces or punctuation; each field accepts the template's heading and
 * the names flexgate uses. Unknown columns are ignored (the template carries
 * commercial questions the registry does not keep).
 */
const COLUMNS = {
  fspPartyId: ['fsp id', 'flexibility service provider id', 'fsp party id', 'fsppartyid'],
  dsoAssetId: ['dso asset id', 'asset id', 'dsoassetid'],
  resourceId: ['resource id', 'anm resource id', 'resourceid'],
  assetGroupId: ['asset group id', 'portfolio id', 'assetgroupid'],
  name: ['asset name', 'name'],
  energySource: ['technology type', 'energy source', 'asset type', 'energysource'],
  mic_kW: ['import capacity kw', 'mic kw', 'maximum import capacity kw', 'mic_kw'],
  mec_kW: ['export capacity kw', 'mec kw', 'maximum export capacity kw', 'mec_kw'],
  connectionPoint: ['connection point', 'mpan', 'primary substation', 'connectionpoint'],
} as const;
type Field = keyof typeof COLUMNS;
const OPTIONAL: ReadonlySet<Field> = new Set(['resourceId', 'name']);

/** The template's technology wording → the registry's energy source code. */
const TECHNOLOGY: ReadonlyArray<readonly [RegExp, EnergySource]> = [
  [/batter|storage|bess/, 'battery'],
  [/solar|pv/, 'solar-pv'],
  [/wind/, 'wind'],
  [/hydro/, 'hydro'],
  [/chp|combined heat/, 'chp'],
  [/diesel/, 'diesel'],
  [/gas/, 'gas-engine'],
  [/heat pump/, 'heat-pump'],
  [/\bev\b|electric vehicle|charg/, 'electric-vehicle'],
  [/demand|dsr|turn ?down|load/, 'demand-side-response'],
];

const normalise = (header: string) =>
  header
    .toLowerCase()
    .replace(/[()[\]_/.-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    record.push(field);
    if (record.some((f) => f !== '')) records.push(record);
    record = [];
    field = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
  }
  endRecord();
  return records;
}

function energySourceOf(text: string): EnergySource | undefined {
  const code = text.trim().toLowerCase();
  if ((ENERGY_SOURCES as readonly string[]).includes(code)) return code as EnergySource;
  return TECHNOLOGY.find(([pattern]) => pattern.test(code))?.[1];
}

/** Assets from the template's CSV; refuses with every bad cell located by row and column. */
export function assetsFromPrequalificationCsv(text: string): Asset[] {
  const [header, ...rows] = csvRecords(text);
  if (!header) throw new Problem('registry.csv-invalid', 'The CSV is empty');
  const position = new Map<Field, number>();
  const items: ProblemItem[] = [];
  for (const field of Object.keys(COLUMNS) as Field[]) {
    const at = header.findIndex((h) => (COLUMNS[field] as readonly string[]).includes(normalise(h)));
    if (at >= 0) position.set(field, at);
    else if (!OPTIONAL.has(field))
      items.push({ code: 'registry.csv-invalid', detail: `No column for ${field} (expected one of: ${COLUMNS[field].join(', ')})`, row: 1 });
  }
  if (items.length > 0) throw Problem.of(items);
  const assets = rows.map((cells, r) => {
    const row = r + 2;
    const cell = (field: Field) => (position.has(field) ? (cells[position.get(field)!] ?? '').trim() : '');
    const bad = (field: Field, detail: string) =>
      items.push({ code: 'registry.csv-invalid', detail, row, column: position.get(field)! + 1, columnName: header[position.get(field)!]! });
    const kilowatts = (field: 'mic_kW' | 'mec_kW') => {
      const text = cell(field).replace(/,/g, '');
      if (!/^\d{1,10}$/.test(text)) bad(field, `${field} must be whole kW, not "${cell(field)}"`);
      return Number(text);
    };
    const energySource = energySourceOf(cell('energySource'));
    if (!energySource) bad('energySource', `Technology "${cell('energySource')}" is none of ${ENERGY_SOURCES.join(', ')}`);
    for (const field of ['fspPartyId', 'dsoAssetId', 'assetGroupId', 'connectionPoint'] as const) if (cell(field) === '') bad(field, `${field} is empty`);
    const asset: Asset = {
      dsoAssetId: cell('dsoAssetId'),
      resourceId: cell('resourceId') || cell('dsoAssetId'),
      assetGroupId: cell('assetGroupId'),
      energySource: energySource ?? 'other',
      mic_kW: kilowatts('mic_kW'),
      mec_kW: kilowatts('mec_kW'),
      connectionPoint: cell('connectionPoint'),
      fspPartyId: cell('fspPartyId'),
      ...(cell('name') ? { name: cell('name') } : {}),
    };
    return asset;
  });
  if (items.length > 0) throw Problem.of(items);
  return assets;
}
