import { ROLES, type LoadedCase } from './vectors/model.ts';

export const TABLE_START = '<!-- cases:start (generated from conformance/vectors by `npm run generate`; do not edit) -->';
export const TABLE_END = '<!-- cases:end -->';

/** The case count per role and suite, mandatory and optional, as Markdown. */
export function casesTable(cases: readonly LoadedCase[]): string {
  const rows: string[] = ['| role | suite | API version | mandatory | optional | total |', '| --- | --- | --- | ---: | ---: | ---: |'];
  const groups = new Map<string, LoadedCase[]>();
  const ordered = [...cases].sort(
    (a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.suite.localeCompare(b.suite) || a.apiVersion.localeCompare(b.apiVersion),
  );
  for (const vector of ordered) {
    const key = `${vector.role}\t${vector.suite}\t${vector.apiVersion}`;
    groups.set(key, [...(groups.get(key) ?? []), vector]);
  }
  for (const [key, group] of groups) {
    const [role, suite, apiVersion] = key.split('\t');
    const mandatory = group.filter((vector) => vector.level === 'mandatory').length;
    rows.push(`| ${role} | ${suite} | ${apiVersion} | ${mandatory} | ${group.length - mandatory} | ${group.length} |`);
  }
  for (const role of ROLES) {
    const ofRole = cases.filter((vector) => vector.role === role);
    if (ofRole.length)
      rows.push(
        `| **${role}** | all | | ${ofRole.filter((v) => v.level === 'mandatory').length} | ${ofRole.filter((v) => v.level === 'optional').length} | ${ofRole.length} |`,
      );
  }
  rows.push(
    `| **all roles** | | | ${cases.filter((v) => v.level === 'mandatory').length} | ${cases.filter((v) => v.level === 'optional').length} | ${cases.length} |`,
  );
  return rows.join('\n');
}

/** The README with its generated table replaced. */
export function withCasesTable(readme: string, cases: readonly LoadedCase[]): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('conformance/README.md has lost its cases table markers');
  return `${readme.slice(0, start)}${TABLE_START}\n${casesTable(cases)}\n${readme.slice(end)}`;
}
