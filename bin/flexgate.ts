#!/usr/bin/env node
// `flexgate`: loads only the command asked for, so `flexgate --help` and small commands start fast.
import type { Command } from '../client/cli/commandLine.ts';

interface Entry {
  summary: string;
  load(): Promise<Command>;
}

const commands: Record<string, Entry> = {
  serve: { summary: 'run the gateway', load: async () => (await import('../gateway/cli/serve.ts')).serveCommand },
  send: { summary: 'send a signed request over mutual TLS as a party', load: async () => (await import('../client/cli/send.ts')).sendCommand },
  sign: {
    summary: 'print the signature header for a request (for curl and other clients)',
    load: async () => (await import('../client/cli/sign.ts')).signCommand,
  },
  ven: {
    summary: 'an OpenADR VEN at the terminal: login, register, events [--watch], subscribe, report, status, run',
    load: async () => (await import('../client/cli/ven.ts')).venCommand,
  },
  sandbox: {
    summary: 'the reference sandbox: gateway, simulated DSO and FSPs, web UI; `sandbox join` onboards a real FSP',
    load: async () => (await import('../sandbox/cli.ts')).sandboxCommand,
  },
  pki: { summary: 'manage the PKI: CAs, certificates, revocation, CRLs', load: async () => (await import('../gateway/cli/pki.ts')).pkiCommand },
  journal: {
    summary: 'export the journal as a signed bundle, or verify one offline',
    load: async () => (await import('../gateway/cli/journal.ts')).journalCommand,
  },
  mol: { summary: 'trading opportunities and re-ordered merit order lists from files', load: async () => (await import('../gateway/cli/mol.ts')).molCommand },
  cim: { summary: 'CIM documents: from and to ANM payloads, validation', load: async () => (await import('../gateway/cli/cim.ts')).cimCommand },
  registry: {
    summary: 'parties, assets and contracts: import (JSON or ENA pre-qualification CSV), export, list',
    load: async () => (await import('../gateway/cli/registry.ts')).registryCommand,
  },
  export: {
    summary: "write the instance's state as one signed bundle (registry, OpenADR setup, certificates, settlement)",
    load: async () => (await import('../gateway/cli/stateBundle.ts')).exportCommand,
  },
  import: { summary: 'load a state bundle into an empty instance', load: async () => (await import('../gateway/cli/stateBundle.ts')).importCommand },
  conformance: {
    summary: 'run conformance suites against an implementation, verify a conformance certificate',
    load: async () => (await import('../conformance/cli.ts')).conformanceCommand,
  },
};

const usage = () =>
  [
    'Usage: flexgate <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`),
    '',
    'Run `flexgate <command> --help` for its options.',
  ].join('\n');

/** Runs a CLI command and returns the process exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`flexgate: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (error) {
    console.error(`flexgate ${name}: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
