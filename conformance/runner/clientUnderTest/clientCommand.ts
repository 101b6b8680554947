import { spawn } from 'node:child_process';

/** What the suite asks the client under test to do: send a document (a write) or, without one, read a path. */
export interface ClientOrder {
  path: string;
  /** The document to send, as a file whose extension names its format (.tsv, .csv, .json, .xml); absent for a read. */
  file?: string;
  /** The suite's gateway, and the party's certificate chain, key and root CA (PEM files). */
  url: string;
  cert: string;
  key: string;
  ca: string;
}

/** How the client's invocation ended. */
export interface ClientRun {
  /** Exit status; null when it ended on a signal or was stopped for taking too long. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command as run, for the report. */
  command: string;
}

/** An ANM or DSO client the suite drives: one invocation per order. */
export interface ClientUnderTest {
  run(order: ClientOrder): Promise<ClientRun>;
}

/** A client that takes longer than this for one order is stopped and fails the case. */
const CLIENT_TIMEOUT_MS = 60_000;
const FILE_OPTION = /\s+(?:-{1,2}[A-Za-z0-9-]+[ =])?\S*\{file\}\S*/g;

/** POSIX shell single quotes: the value reaches the program as one argument, whatever it holds. */
const shellQuoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The command with each `{placeholder}` replaced by its value, shell-quoted. */
export function expandTemplate(template: string, order: ClientOrder): string {
  return template.replace(/\{(path|file|url|cert|key|ca)\}/g, (placeholder, name: keyof ClientOrder) => {
    const value = order[name];
    if (value === undefined) throw new Error(`the client command names ${placeholder}, which this order does not have`);
    return shellQuoted(value);
  });
}

/** The read command a send command implies: the same command without its `{file}` option. */
export const readTemplateOf = (sendTemplate: string) => sendTemplate.replace(FILE_OPTION, '');

/**
 * The client as a command line (`--client-command`): placeholders
 * `{path} {file} {url} {cert} {key} {ca}` substituted per order, run by
 * /bin/sh. Reads use `readTemplate`, by default the send command without
 * its `{file}` option.
 */
export class CommandTemplateClient implements ClientUnderTest {
  readonly readTemplate: string;

  constructor(
    readonly sendTemplate: string,
    readTemplate?: string,
  ) {
    if (!sendTemplate.includes('{path}') || !sendTemplate.includes('{file}')) throw new Error('the client command must name {path} and {file}');
    this.readTemplate = readTemplate ?? readTemplateOf(sendTemplate);
    if (this.readTemplate.includes('{file}')) throw new Error('the read command must not name {file}');
  }

  run(order: ClientOrder): Promise<ClientRun> {
    const command = expandTemplate(order.file === undefined ? this.readTemplate : this.sendTemplate, order);
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr: `${stderr}${error.message}`, command });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, command });
      });
    });
  }
}
