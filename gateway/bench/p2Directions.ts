import { readFileSync } from 'node:fs';
import { writeDocumentFile } from '../../profiles/machinery/builder.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { readCimDocument } from '../cim/inbound.ts';
import { DEFAULT_XML_LIMITS } from '../cim/xmlSafety.ts';
import { DEFAULT_OPENADR_CONFIG } from '../openadr/config.ts';
import { meritOrderEvents } from '../openadr/meritOrderEvents.ts';
import { answerParent, isChildEntry } from './child.ts';
import { benchMeritOrderList, PERIOD } from './p2List.ts';

/**
 * P2's two programs, each run as a process of its own from the compiled
 * product (dist/, as `flexgate` runs; the one bench module tsconfig.build.json
 * compiles), so a peak RSS is the program's own and not tsx's loader's:
 * `write N FILE` makes the N-entry list's CIM document, `read N FILE` reads
 * it back into the model and on to OpenADR events.
 */

export interface WriteResult {
  toCimMs: number;
  megabytes: number;
  peakRssMiB: number;
}

export interface ReadResult {
  fromCimMs: number;
  toEventsMs: number;
  events: number;
  peakRssMiB: number;
}

const HEADER = {
  mRID: 'P2-BENCH',
  revisionNumber: 1,
  createdDateTime: '2024-10-17T13:00:00Z',
  sender: { mRID: 'GB-DSO', codingScheme: 'NGB' as const, role: 'A50' as const },
  receiver: { mRID: 'GB-FSP', codingScheme: 'NGB' as const, role: 'A56' as const },
};

// A file-sized document: the gateway's budgets for one request body are not what P2 measures.
const FILE_LIMITS = { ...DEFAULT_XML_LIMITS, maxBytes: 1024 ** 3, maxElements: 1e9, maxAttributes: 1e9 };

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

/** MOL → CIM file (the sender's process): written as it is made, never held whole. */
function writeSize(entries: number, file: string): WriteResult {
  const started = performance.now();
  const bytes = writeDocumentFile(file, meritOrderListProfile, benchMeritOrderList(entries), HEADER);
  return { toCimMs: performance.now() - started, megabytes: bytes / 1e6, peakRssMiB: peakRssMiB() };
}

/** CIM file → model → OpenADR events (the receiver's process): the file's bytes, dropped once read. */
function readSize(entries: number, file: string): ReadResult {
  const started = performance.now();
  const reading = readCimDocument(readFileSync(file), FILE_LIMITS);
  const read = performance.now();
  if (!reading.accepted) throw new Error(`the benchmark's own document was rejected: ${reading.problem.message}`);
  if (reading.document.kind !== 'merit-order-list') throw new Error(`the benchmark's document read as ${reading.document.kind}`);
  const events = meritOrderEvents(reading.document.model, { id: 'P2-BENCH', revision: 1 }, PERIOD, {
    programID: 'P2-BENCH-PROGRAM',
    intervalMinutes: DEFAULT_OPENADR_CONFIG.intervalMinutes,
    sellerServices: new Map(),
  });
  const evented = performance.now();
  if (events.size !== entries) throw new Error(`${entries} entries made ${events.size} events`);
  return { fromCimMs: read - started, toEventsMs: evented - read, events: events.size, peakRssMiB: peakRssMiB() };
}

if (isChildEntry(import.meta.url)) {
  const [direction, entries, file] = process.argv.slice(2) as ['write' | 'read', string, string];
  await answerParent(direction === 'write' ? writeSize(Number(entries), file) : readSize(Number(entries), file));
}
