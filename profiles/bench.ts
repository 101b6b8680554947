import { fork } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { buildDocument } from './machinery/builder.ts';
import { parseDocument } from './machinery/parser.ts';
import { meritOrderListProfile } from './meritOrderList.ts';
import type { DocumentHeader } from './models/documentHeader.ts';
import { largeMeritOrderList } from './testing/largeModels.ts';

/**
 * Merit order list ANM model → CIM document → ANM model, timed, for 1k, 10k
 * and 100k entries. Each size runs in its own process so that the peak
 * resident memory (getrusage maxRSS) belongs to that size alone.
 * Run: `node --import tsx profiles/bench.ts`.
 */

const SIZES = [1_000, 10_000, 100_000];

const header: DocumentHeader = {
  mRID: 'BENCH-MOL',
  revisionNumber: 1,
  createdDateTime: '2024-10-17T13:00:00Z',
  sender: { mRID: 'GB-DSO', codingScheme: 'NGB', role: 'A50' },
  receiver: { mRID: 'GB-FSP', codingScheme: 'NGB', role: 'A56' },
};

interface Measurement {
  entries: number;
  xmlMegabytes: number;
  buildMs: number;
  parseMs: number;
  peakRssMegabytes: number;
  heapAfterMegabytes: number;
  lossless: boolean;
}

function measure(entries: number): Measurement {
  const model = largeMeritOrderList(entries);
  const started = performance.now();
  const xml = buildDocument(meritOrderListProfile, model, header);
  const built = performance.now();
  const back = parseDocument(meritOrderListProfile, xml);
  const parsed = performance.now();
  return {
    entries,
    xmlMegabytes: Buffer.byteLength(xml) / 1e6,
    buildMs: built - started,
    parseMs: parsed - built,
    peakRssMegabytes: process.resourceUsage().maxRSS / 1024,
    heapAfterMegabytes: process.memoryUsage().heapUsed / 1e6,
    lossless: isDeepStrictEqual(back.model, model) && isDeepStrictEqual(back.header, header),
  };
}

function runChild(entries: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['--entries', String(entries)], { execArgv: process.execArgv });
    child.once('message', (message: Measurement) => resolve(message));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the ${entries}-entry run exited with ${code}`))));
  });
}

const at = process.argv.indexOf('--entries');
if (at >= 0) {
  process.send?.(measure(Number(process.argv[at + 1])));
} else {
  console.log('MOL entries | XML MB | ANM→CIM ms | CIM→ANM ms | total ms | peak RSS MB | lossless');
  console.log('---|---|---|---|---|---|---');
  for (const size of SIZES) {
    const m = await runChild(size);
    const row = [
      m.entries,
      m.xmlMegabytes.toFixed(1),
      m.buildMs.toFixed(0),
      m.parseMs.toFixed(0),
      (m.buildMs + m.parseMs).toFixed(0),
      m.peakRssMegabytes.toFixed(0),
      m.lossless ? 'yes' : 'NO',
    ];
    console.log(row.join(' | '));
  }
}
