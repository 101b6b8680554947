import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEV_GATEWAY_URN } from '../../certs/index.ts';
import { apiVersionFor, clockSequence, signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';
import type { Command } from './commandLine.ts';
import { PARTY_OPTIONS, partyCredentials } from './partyOptions.ts';

const HELP = `Usage: flexgate sign METHOD PATH [--file FILE] [--as URN] [--pki-dir DIR | --cert FILE --key FILE]
                     [--audience URN] [--sequence N]

Prints the value of the x-jws-signature header for one request, for clients
that send it themselves (curl, say): a detached JWS over the exact bytes of
FILE (none: an empty body), addressed to the gateway, with a fresh message id,
the current time and a clock-based sequence number. Sign each request once:
the gateway refuses a message id or sequence number it has seen.

  --file FILE       the body exactly as it will be sent ("-" for stdin)
  --as URN          party to sign as, from the PKI folder (default urn:flexgate:anm:anm-dev)
  --pki-dir DIR     PKI folder (default ./data/pki)
  --cert/--key      the party's certificate (chain) and private key as PEM files instead
  --audience URN    the gateway's party (default ${DEV_GATEWAY_URN})
  --sequence N      sequence number (default: microseconds since the epoch)`;

export const signCommand: Command = {
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        file: { type: 'string' },
        ...PARTY_OPTIONS,
        audience: { type: 'string', default: DEV_GATEWAY_URN },
        sequence: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const [method, path, ...extra] = positionals;
    if (!method || !path?.startsWith('/') || extra.length > 0) {
      console.error(`flexgate sign: give METHOD and PATH\n\n${HELP}`);
      return 2;
    }
    const credentials = await partyCredentials(values, false);
    if (typeof credentials === 'string') {
      console.error(`flexgate sign: ${credentials}`);
      return 2;
    }
    const body = values.file === undefined ? Buffer.alloc(0) : readFileSync(values.file === '-' ? 0 : values.file);
    const signature = await signEnvelope(
      signerFromCredentials(credentials),
      { audience: values.audience, sequence: values.sequence ?? clockSequence()(), method, path, apiVersion: apiVersionFor(path) },
      body,
    );
    console.log(signature);
    return 0;
  },
};
