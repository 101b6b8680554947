import { trustBench, type Row } from './trust.ts';

// `npm run bench`: the trust layer's rates as ratios to raw crypto measured in the
// same run. The CIM build/parse benchmark is `npm run bench:cim` (minutes, GiBs).
const rows: Row[] = await trustBench();
const width = Math.max(...rows.map((row) => row.what.length));
console.log(`${'measurement'.padEnd(width)}  ${'per second'.padStart(11)}  ratio to baseline`);
for (const row of rows) {
  const ratio = row.baseline === '-' ? '(baseline)' : `${row.ratio.toFixed(3)} × ${row.baseline}`;
  console.log(`${row.what.padEnd(width)}  ${row.perSecond.toFixed(0).padStart(11)}  ${ratio}`);
}
