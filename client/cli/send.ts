import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { FlexgateClient, type FlexgateClientOptions } from '../flexgateClient.ts';
import type { ClientCredentials } from '../transport.ts';
import type { Command } from './commandLine.ts';
import { PARTY_OPTIONS, partyCredentials } from './partyOptions.ts';

const HELP = `Usage: flexgate send PATH [--file FILE] [--method M] [--as URN] [--url URL]
                     [--pki-dir DIR | --cert FILE --key FILE --ca FILE]
                     [--content-type TYPE] [--accept TYPE] [--idempotency-key KEY] [--retries N]

Sends one request to the gateway as a party: over mutual TLS with the
party's certificate, the body signed (detached JWS in x-jws-signature) with
a fresh message id and sequence number. Prints the response body on stdout
and, on stderr, the status and the gateway's signed receipt, verified.

  PATH                  API path, e.g. /anm/v1/merit-order-lists
  --file FILE           body to send ("-" for stdin); without it, no body
  --method M            HTTP method (default POST with --file, else GET)
  --as URN              party to act as, from the PKI folder (default urn:flexgate:anm:anm-dev)
  --url URL             gateway address (default https://127.0.0.1:8443)
  --pki-dir DIR         PKI folder holding the party's certificate (default ./data/pki)
  --cert/--key/--ca     the party's certificate chain, private key and root CA as PEM
                        files, instead of --pki-dir and --as
  --content-type TYPE   default from the file name: .tsv, .csv, .json, .xml
  --accept TYPE         representation wanted, e.g. text/tab-separated-values
  --retries N           times to send again when the connection drops before the answer
                        (default 2): a write with the same message id and body, so the
                        gateway acts on it once
Exit status: 0 for a 2xx answer, 1 for any other, 2 for a usage error.`;

const CONTENT_TYPES: Record<string, string> = {
  '.tsv': 'text/tab-separated-values',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
};

/** How `send` makes its client: the conformance self-test wraps it to inject one fault. */
export type ClientFactory = (url: string, credentials: ClientCredentials, options: FlexgateClientOptions) => FlexgateClient;

export const sendCommandWith = (connect: ClientFactory): Command => ({
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        file: { type: 'string' },
        method: { type: 'string' },
        ...PARTY_OPTIONS,
        url: { type: 'string', default: 'https://127.0.0.1:8443' },
        'content-type': { type: 'string' },
        accept: { type: 'string' },
        'idempotency-key': { type: 'string' },
        retries: { type: 'string', default: '2' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const [path, ...extra] = positionals;
    if (!path || extra.length > 0 || !path.startsWith('/')) {
      console.error(`flexgate send: give exactly one API path starting with "/"\n\n${HELP}`);
      return 2;
    }
    const retries = Number(values.retries);
    if (!Number.isSafeInteger(retries) || retries < 0) {
      console.error('flexgate send: --retries is a whole number');
      return 2;
    }
    const credentials = await partyCredentials(values, true);
    if (typeof credentials === 'string') {
      console.error(`flexgate send: ${credentials}`);
      return 2;
    }
    const body = values.file === undefined ? undefined : values.file === '-' ? readFileSync(0) : readFileSync(values.file);
    const contentType = values['content-type'] ?? (values.file ? CONTENT_TYPES[extname(values.file).toLowerCase()] : undefined);
    const method = (values.method ?? (body ? 'POST' : 'GET')).toUpperCase();

    const client = connect(values.url, credentials, { retries });
    try {
      const response = await client.request(method, path, {
        ...(body ? { body } : {}),
        ...(contentType ? { contentType } : {}),
        headers: {
          ...(values.accept ? { accept: values.accept } : {}),
          ...(values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {}),
        },
      });
      const { signature } = response;
      const location = response.headers.location ? ` ${String(response.headers.location)}` : '';
      console.error(`${response.status}${location}`);
      console.error(
        `signed by ${signature.issuer} (sequence ${signature.sequence}, ${signature.alg}), verified` +
          (signature.receipt ? `; receipt for message ${signature.receipt.jti}` : ''),
      );
      process.stdout.write(response.body);
      if (response.body.length > 0 && !response.body.toString('utf8').endsWith('\n')) process.stdout.write('\n');
      return response.status >= 200 && response.status < 300 ? 0 : 1;
    } finally {
      client.close();
    }
  },
});

export const sendCommand = sendCommandWith((url, credentials, options) => new FlexgateClient(url, credentials, options));
