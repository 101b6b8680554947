import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import type { BenchRun } from './benchRun.ts';
import { benchmarksDocs, DOCS_PAGE, P2_PLOT, P3_PLOT } from './docsPage.ts';
import type { BenchRow } from './row.ts';
import { scalingSeries } from './scaling.ts';
import { linePlot } from './svgPlot.ts';
import { COLUMNS, formatNumber, markdownTable, textTable } from './table.ts';

/** Element names and text of an XML document; throws when it is not well-formed. */
function readXml(xml: string): { elements: string[]; texts: string[] } {
  const parser = new SaxesParser({ xmlns: true });
  const elements: string[] = [];
  const texts: string[] = [];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => elements.push(tag.local));
  parser.on('text', (text) => texts.push(text));
  parser.write(xml).close();
  return { elements, texts };
}

const row = (group: string, what: string, value: number, unit: string, extra: Partial<BenchRow> = {}): BenchRow => ({ group, what, value, unit, ...extra });

const SAMPLE_RUN: BenchRun = {
  date: '2026-11-30T17:50:00.000Z',
  machine: { cores: 2, cpu: 'Test CPU', memoryGiB: 4, node: 'v20.19.0', os: 'linux' },
  profile: 'full',
  notes: [],
  rows: [
    row('baseline', 'raw ES256 verify', 9000, 'verifies/s'),
    row('P2', 'MOL → CIM → MOL, time per entry, 10k entries', 40, 'µs/entry'),
    row('P2', 'MOL → CIM → MOL, time per entry, 100k entries', 44, 'µs/entry', { ratio: 1.1, baseline: '10k entries', goal: '≤ 1.2 ×', met: true }),
    row('P2', 'MOL → CIM → MOL, peak RSS, 100k entries', 300, 'MiB', { goal: '< 512 MiB', met: true }),
    row('P3', 'dispatch to 100 subscribers, all healthy', 200, 'ms'),
    row('P3', 'dispatch to 1,000 subscribers, all healthy', 1300, 'ms', { goal: '< 2 s', met: true }),
    row('P3', 'dispatch to 100 subscribers, 10 % hanging', 210, 'ms'),
    row('P3', 'dispatch to 1,000 subscribers, 10 % hanging', 1350, 'ms'),
  ],
};

describe('npm run bench', () => {
  describe('the SVG plot writer', () => {
    const svg = linePlot({
      title: 'Time per entry <by size>',
      xLabel: 'entries',
      yLabel: 'µs per entry',
      series: [
        {
          name: 'build & parse',
          points: [
            [1_000, 30],
            [10_000, 40],
            [100_000, 44],
          ],
        },
        {
          name: 'events',
          points: [
            [1_000, 5],
            [100_000, 6],
          ],
        },
      ],
    });
    const { elements, texts } = readXml(svg);

    it('writes well-formed SVG with escaped text', () => {
      assert.equal(elements[0], 'svg');
      assert.ok(texts.includes('Time per entry <by size>'));
    });

    it('labels both axes, a logarithmic x axis when the sizes span decades, and every series in a legend', () => {
      assert.ok(texts.includes('entries (log scale)'));
      assert.ok(texts.includes('µs per entry'));
      assert.ok(texts.includes('build & parse') && texts.includes('events'));
      for (const tick of ['1k', '10k', '100k']) assert.ok(texts.includes(tick), `x tick ${tick}`);
    });

    it('draws one line per series and a marker per point', () => {
      assert.equal(elements.filter((name) => name === 'polyline').length, 2);
      assert.equal(elements.filter((name) => name === 'circle').length, 5);
    });
  });

  describe('scaling series read back from rows', () => {
    it('joins rows that differ only in size, per unit, and leaves single points out', () => {
      const p2 = scalingSeries(SAMPLE_RUN.rows, 'P2', { noun: 'entr(?:y|ies)', label: 'entries' }, (unit) => /entry/.test(unit));
      assert.deepEqual(p2, [
        {
          name: 'MOL → CIM → MOL, time per entry, N entries (µs/entry)',
          points: [
            [10_000, 40],
            [100_000, 44],
          ],
        },
      ]);
      const p3 = scalingSeries(SAMPLE_RUN.rows, 'P3', { noun: 'subscribers?', label: 'subscribers' }, (unit) => unit === 'ms');
      assert.deepEqual(
        p3.map((series) => [series.name, series.points.map(([x]) => x)]),
        [
          ['dispatch to N subscribers, all healthy (ms)', [100, 1000]],
          ['dispatch to N subscribers, 10 % hanging (ms)', [100, 1000]],
        ],
      );
    });
  });

  describe('docs/benchmarks.md', () => {
    it('keeps the table, the machine and both plots when the run has scaling points', () => {
      const files = benchmarksDocs(SAMPLE_RUN);
      const page = files.get(DOCS_PAGE)!;
      assert.match(page, /2 × Test CPU, 4 GiB, Node v20\.19\.0/);
      assert.ok(page.includes(markdownTable(SAMPLE_RUN.rows)));
      assert.ok(page.includes('](benchmarks/p2-scaling.svg)') && page.includes('](benchmarks/p3-scaling.svg)'));
      for (const plot of [P2_PLOT, P3_PLOT]) assert.equal(readXml(files.get(plot)!).elements[0], 'svg');
    });

    it('says so instead of linking a plot the run has no points for', () => {
      const files = benchmarksDocs({ ...SAMPLE_RUN, rows: SAMPLE_RUN.rows.slice(0, 1), notes: ['P2 not available: not in this tree'] });
      assert.deepEqual([...files.keys()], [DOCS_PAGE]);
      assert.match(files.get(DOCS_PAGE)!, /no P2 scaling points/);
      assert.match(files.get(DOCS_PAGE)!, /- P2 not available/);
    });
  });

  describe('the tables', () => {
    it('give every row every column, in the Markdown table too', () => {
      const lines = markdownTable(SAMPLE_RUN.rows).split('\n');
      assert.equal(lines.length, SAMPLE_RUN.rows.length + 2);
      for (const line of lines) assert.equal(line.split(' | ').length, COLUMNS.length);
      assert.match(textTable(SAMPLE_RUN.rows).split('\n')[0]!, /^group\s+measurement\s+value\s+unit\s+ratio to baseline\s+goal\s+met$/);
    });

    it('print counts whole and other values to three significant figures', () => {
      assert.deepEqual([1, 0, 389, 0.0074213, 22.345, 2231.4].map(formatNumber), ['1', '0', '389', '0.00742', '22.3', '2231']);
    });
  });

  describe('the runner with --quick', function () {
    // A real gateway process, the dist build and a load generator on a loaded two-core machine.
    this.timeout(600_000);
    let dir: string;
    let output: { code: number; stdout: string; stderr: string };
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'flexgate-bench-test-'));
      output = await new Promise((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', join(PACKAGE_ROOT, 'gateway', 'bench', 'run.ts'), '--quick', '--only', 'trust,P1,CLI', '--out', join(dir, 'results.json')],
          { cwd: PACKAGE_ROOT, timeout: 590_000, encoding: 'utf8' },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('prints one table with the baseline first and a row per measurement of the groups asked for', () => {
      assert.equal(output.code, 0, output.stderr);
      const lines = output.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^group\s+measurement\s+value\s+unit\s+ratio to baseline\s+goal\s+met$/);
      assert.match(lines[2]!, /^baseline\s/);
      const groups = new Set(lines.slice(2).map((line) => line.split(/\s+/)[0]));
      assert.deepEqual([...groups], ['baseline', 'trust', 'P1', 'CLI']);
    });

    it('writes the same rows as JSON, each with a value, a unit and, where a goal applies, whether it was met', () => {
      const run = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchRun;
      assert.equal(run.profile, 'quick');
      assert.ok(run.machine.cores >= 1 && run.machine.node.startsWith('v'));
      assert.equal(output.stdout.trimEnd().split('\n').length, run.rows.length + 2);
      for (const benchRow of run.rows) {
        assert.ok(typeof benchRow.group === 'string' && typeof benchRow.what === 'string' && typeof benchRow.unit === 'string', JSON.stringify(benchRow));
        assert.ok(Number.isFinite(benchRow.value), JSON.stringify(benchRow));
        assert.equal(benchRow.goal === undefined, benchRow.met === undefined, JSON.stringify(benchRow));
        assert.equal(benchRow.ratio === undefined, benchRow.baseline === undefined, JSON.stringify(benchRow));
      }
      const p1 = run.rows.filter((benchRow) => benchRow.group === 'P1');
      assert.ok(p1.some((benchRow) => /overtaking/.test(benchRow.what) && benchRow.goal === '0'));
      assert.ok(p1.some((benchRow) => benchRow.unit === 'requests/s' && benchRow.ratio !== undefined));
      // The p99 goal is read paced, at the goal's load, for both kinds of request; the offered rate is its own row.
      assert.equal(p1.filter((benchRow) => /, paced, p99 latency/.test(benchRow.what) && benchRow.goal === '< 50 ms').length, 2);
      for (const offered of p1.filter((benchRow) => /paced at the goal's load: offered/.test(benchRow.what)))
        assert.ok(offered.value > 0, JSON.stringify(offered));
      if (process.platform === 'linux') {
        // CPU per request, read from /proc for the gateway's process: every request costs some.
        const gatewayCpu = p1.filter((benchRow) => /CPU per request in the gateway, all threads/.test(benchRow.what));
        assert.equal(gatewayCpu.length, 2, 'one row for POST and one for GET');
        for (const benchRow of gatewayCpu) assert.ok(benchRow.unit === 'µs' && benchRow.value > 0, JSON.stringify(benchRow));
      }
      assert.ok(run.rows.some((benchRow) => benchRow.group === 'CLI' && benchRow.baseline === 'node -e 0'));
    });
  });
});
