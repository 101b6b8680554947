import { resultDigest, summary, type CaseResult, type RunResult } from '../runner/results.ts';
import type { Exchange } from '../runner/exchange.ts';

const escapeHtml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.passed{color:#166534}.failed{color:#b91c1c;font-weight:bold}.skipped{color:#92400e}
pre{background:#f5f5f5;padding:.6em;overflow:auto;max-height:24em;white-space:pre-wrap}section.failure{border-left:4px solid #b91c1c;padding-left:1em;margin:1.5em 0}`;

/** One self-contained HTML page a person reads: summary, a table per suite, and each failure with its exchanges and clause. */
export function htmlReport(run: RunResult): string {
  const counts = summary(run);
  const suites = new Map<string, CaseResult[]>();
  for (const result of run.results) suites.set(`${result.role} / ${result.suite}`, [...(suites.get(`${result.role} / ${result.suite}`) ?? []), result]);
  const suiteRows = [...suites].map(([name, results]) => {
    const of = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
    return `<tr><td>${escapeHtml(name)}</td><td>${results.length}</td><td class="passed">${of('passed')}</td><td class="failed">${of('failed')}</td><td class="skipped">${of('skipped')}</td></tr>`;
  });
  const caseRows = run.results.map(
    (r) =>
      `<tr><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.title)}</td><td>${r.level}</td><td class="${r.outcome}">${r.outcome}</td><td>${escapeHtml(r.clause)}</td></tr>`,
  );
  const failures = run.results.filter((r) => r.outcome !== 'passed').map(failureSection);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flexgate conformance: ${escapeHtml(run.implementation.party)}</title><style>${STYLE}</style></head>
<body>
<h1>Conformance report: <span class="${run.passed ? 'passed' : 'failed'}">${run.passed ? 'PASSED' : 'FAILED'}</span></h1>
<table>
<tr><th>Implementation</th><td>${escapeHtml(run.implementation.party)} at ${escapeHtml(run.target)}</td></tr>
<tr><th>Certificate fingerprint (SHA-256)</th><td><code>${escapeHtml(run.implementation.fingerprint)}</code></td></tr>
<tr><th>Suite</th><td>${escapeHtml(run.suiteVersion)}</td></tr>
<tr><th>Roles</th><td>${escapeHtml(run.roles.join(', '))}</td></tr>
<tr><th>Seed</th><td>${run.seed} (fuzz runs ${run.fuzzRuns})</td></tr>
<tr><th>Run</th><td>${escapeHtml(run.startedAt)} to ${escapeHtml(run.finishedAt)}</td></tr>
<tr><th>Cases</th><td>${counts.total}: ${counts.passed} passed, ${counts.failed} failed (${counts.mandatoryFailed} mandatory), ${counts.skipped} skipped</td></tr>
<tr><th>Result digest</th><td><code>${resultDigest(run)}</code></td></tr>
</table>
<h2>Suites</h2>
<table><tr><th>Role / suite</th><th>Cases</th><th>Passed</th><th>Failed</th><th>Skipped</th></tr>${suiteRows.join('')}</table>
<h2>Failures and skips</h2>
${failures.length ? failures.join('\n') : '<p>None.</p>'}
<h2>All cases</h2>
<table><tr><th>Id</th><th>Title</th><th>Level</th><th>Outcome</th><th>Clause</th></tr>${caseRows.join('')}</table>
</body></html>
`;
}

function failureSection(result: CaseResult): string {
  return `<section class="failure" id="${escapeHtml(result.id)}">
<h3>${escapeHtml(result.id)}: ${escapeHtml(result.title)} <span class="${result.outcome}">${result.outcome}</span> (${result.level})</h3>
<p><b>Clause:</b> ${escapeHtml(result.clause)}</p>
<p><b>Why:</b> ${escapeHtml(result.message ?? '')}</p>
${result.notes.map((note) => `<pre>${escapeHtml(note)}</pre>`).join('\n')}
${result.exchanges.map(exchangeBlock).join('\n')}
</section>`;
}

function exchangeBlock(exchange: Exchange, index: number): string {
  const headers = Object.entries(exchange.request.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  const response = exchange.response ? `${exchange.response.status} ${exchange.response.contentType}\n\n${exchange.response.body}` : '(no answer)';
  return `<h4>Exchange ${index + 1} as ${escapeHtml(exchange.party)}</h4>
<pre>${escapeHtml(`${exchange.request.method} ${exchange.request.path}\n${headers}\n\n${exchange.request.body}`)}</pre>
<pre>${escapeHtml(response)}${exchange.error ? `\n\n${escapeHtml(exchange.error)}` : ''}</pre>`;
}
