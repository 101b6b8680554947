import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { ROUTE_FAMILIES, type RouteFamily } from './cases.ts';
import { runFuzz } from './harness.ts';

const HELP = `Usage: npm run fuzz -- [--runs N] [--seed S] [--time-limit SECONDS] [--family anm|cim|openadr|admin]... [--report FILE]

Fuzzes a real \`flexgate serve\` process over mutual TLS on loopback, one
seeded fast-check run per route family (default all four), and holds every
case to the invariants (gateway/fuzz/README.md). Prints the figures per
family; exits 1 when any invariant broke.
  --runs N            cases per family (default 1000)
  --seed S            fast-check seed (default: the clock; printed)
  --time-limit S      stop each family after S seconds (default 900)
  --report FILE       also write the full report, findings with reproducers, as JSON`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    'time-limit': { type: 'string', default: '900' },
    family: { type: 'string', multiple: true },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const families = (values.family ?? [...ROUTE_FAMILIES]) as RouteFamily[];
const unknown = families.filter((family) => !ROUTE_FAMILIES.includes(family));
if (unknown.length > 0) {
  console.error(`Unknown route family ${unknown.join(', ')}; one of ${ROUTE_FAMILIES.join(', ')}`);
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
console.log(`fuzz seed ${seed}, ${values.runs} runs per family, families ${families.join(', ')}`);
const report = await runFuzz({ seed, runs: Number(values.runs), timeLimitMs: Number(values['time-limit']) * 1000, families, log: (line) => console.log(line) });
if (values.report) writeFileSync(values.report, JSON.stringify(report, null, 2));
const broken = report.crashed !== undefined || report.families.some((f) => f.findings.length > 0);
for (const family of report.families) {
  for (const finding of family.findings) console.log(`  ${family.family} ✗ ${finding.invariant}: ${finding.detail}\n      ${JSON.stringify(finding.case)}`);
}
if (report.crashed) console.log(report.crashed);
console.log(broken ? 'fuzz: invariants broken (above)' : 'fuzz: every invariant held');
process.exit(broken ? 1 : 0);
