import type { CaseResult, RunResult } from '../runner/results.ts';

const escapeXml = (text: string) =>
  text
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML, the form any CI reads: one testsuite per role and suite, one testcase per case. */
export function junitReport(run: RunResult): string {
  const groups = new Map<string, CaseResult[]>();
  for (const result of run.results) {
    const name = `${result.role}.${result.suite}`;
    groups.set(name, [...(groups.get(name) ?? []), result]);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${escapeXml(run.suiteVersion)}" tests="${run.results.length}">`];
  for (const [name, results] of groups) {
    const failures = results.filter((r) => r.outcome === 'failed').length;
    const skipped = results.filter((r) => r.outcome === 'skipped').length;
    const seconds = results.reduce((sum, r) => sum + r.durationMs, 0) / 1000;
    lines.push(`  <testsuite name="${escapeXml(name)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${seconds.toFixed(3)}">`);
    lines.push(`    <properties><property name="seed" value="${run.seed}"/><property name="target" value="${escapeXml(run.target)}"/></properties>`);
    for (const result of results) {
      const attributes = `classname="${escapeXml(name)}" name="${escapeXml(`${result.id} ${result.title}`)}" time="${(result.durationMs / 1000).toFixed(3)}"`;
      if (result.outcome === 'passed') {
        lines.push(`    <testcase ${attributes}/>`);
        continue;
      }
      lines.push(`    <testcase ${attributes}>`);
      if (result.outcome === 'skipped') lines.push(`      <skipped message="${escapeXml(result.message ?? '')}"/>`);
      else {
        const detail = [`clause: ${result.clause}`, `level: ${result.level}`, ...result.notes, ...result.exchanges.map((e) => JSON.stringify(e, null, 2))].join(
          '\n',
        );
        lines.push(`      <failure message="${escapeXml(result.message ?? '')}" type="${result.level}">${escapeXml(detail)}</failure>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
