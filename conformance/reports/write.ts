import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../runner/results.ts';
import { signCertificate, type SigningIdentity } from './certificate.ts';
import { htmlReport } from './html.ts';
import { junitReport } from './junit.ts';

export const REPORT_FILES = { json: 'conformance.json', junit: 'junit.xml', html: 'report.html', certificate: 'conformance-certificate.jws' } as const;

/** Writes the three reports, and the signed certificate when a signing identity is given; returns the paths written. */
export async function writeReports(dir: string, run: RunResult, signing?: SigningIdentity): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: [string, string][] = [
    [REPORT_FILES.json, `${JSON.stringify(run, null, 2)}\n`],
    [REPORT_FILES.junit, junitReport(run)],
    [REPORT_FILES.html, htmlReport(run)],
  ];
  if (signing) written.push([REPORT_FILES.certificate, `${await signCertificate(run, signing)}\n`]);
  for (const [name, text] of written) writeFileSync(join(dir, name), text);
  return written.map(([name]) => join(dir, name));
}
