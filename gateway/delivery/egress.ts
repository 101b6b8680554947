import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Networks a callback must not reach unless allowed: this host, link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254), private and
 * unique-local ranges, carrier-grade NAT, benchmarking, multicast and
 * reserved space. A subscriber could otherwise make the gateway probe or
 * call the networks behind it.
 */
const REFUSED: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`): judged by that address. */
const EMBEDDED_V4 = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i;

/** This machine only: the allow-list of a sandbox or test whose webhook receivers run beside the gateway. */
export const LOOPBACK_EGRESS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** Thrown by the connect-time look-up: the name resolved, at connection time, to a refused address. */
export class EgressRefused extends Error {
  readonly code = 'EGRESS_REFUSED';
}

/**
 * Which addresses the gateway may send webhooks to: everything public, and
 * the refused ranges above only where `allow` (CIDRs, e.g. `127.0.0.0/8`
 * for a sandbox on one machine, `10.20.0.0/16` for an on-premises network)
 * says so. Names are checked after resolution, at subscription time and
 * again in the look-up of every connection (`lookup`), so a name that
 * resolves elsewhere later (DNS rebinding) is still refused.
 */
export class EgressPolicy {
  private readonly refused = new BlockList();
  private readonly allowed = new BlockList();

  constructor(readonly allow: readonly string[] = []) {
    for (const [address, prefix, family] of REFUSED) this.refused.addSubnet(address, prefix, family);
    for (const cidr of allow) {
      const [address = '', prefix] = cidr.split('/');
      const family = isIP(address);
      if (family === 0) throw new RangeError(`Egress allow-list entry ${JSON.stringify(cidr)} is not an IP address or CIDR`);
      this.allowed.addSubnet(address, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why an address may not be called, or undefined when it may. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return `${address} is not an IP address`;
    const kind = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, kind)) return undefined;
    const embedded = family === 6 ? embeddedV4(address) : undefined;
    if (embedded !== undefined) return this.refusal(embedded) && `${address} (${embedded}) is in a network callbacks may not reach`;
    return this.refused.check(address, kind) ? `${address} is in a network callbacks may not reach (loopback, link-local, private or reserved)` : undefined;
  }

  /**
   * Why a callback URL's host may not be called, after resolving it; a name
   * that does not resolve now is left to the connect-time check.
   */
  async urlRefusal(url: URL): Promise<string | undefined> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return this.refusal(host);
    let addresses: LookupAddress[];
    try {
      addresses = await new Promise((resolve, reject) => dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))));
    } catch {
      return undefined;
    }
    for (const { address } of addresses) {
      const why = this.refusal(address);
      if (why) return `${host} resolves to ${why}`;
    }
    return undefined;
  }

  /** A `lookup` for http(s) agents that refuses a connection to any refused address the name resolves to. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const all = (options as LookupAllOptions).all === true;
    dnsLookup(hostname, { ...(options as LookupOneOptions), all: true }, (error, addresses) => {
      if (error) return callback(error, all ? [] : '', 0);
      for (const { address } of addresses) {
        const why = this.refusal(address);
        if (why) return callback(new EgressRefused(`${hostname} resolves to ${why}`), all ? [] : '', 0);
      }
      if (all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function embeddedV4(address: string): string | undefined {
  const match = EMBEDDED_V4.exec(address);
  if (!match) return undefined;
  if (match[1]) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
