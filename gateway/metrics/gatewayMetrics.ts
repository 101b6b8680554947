import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { listAuthorities, listCertificates, listCrls } from '../../certs/index.ts';
import { queueSummaries } from '../delivery/deliveryRecords.ts';
import type { Store } from '../store/store.ts';
import { routeFamily } from './routeFamily.ts';

export interface MetricsSources {
  store: Store;
  pkiDir: string;
  /** The gateway's own party URN: whose certificate expiry is reported. */
  identity: string;
}

/**
 * What an operator watches, in Prometheus' text format at `GET /metrics`:
 * request rates and latencies per API, refusals per problem type, the
 * delivery outbox per subscriber, dead letters, journal and store sizes, and
 * when certificates and CRLs lapse (an expired CRL locks every client out).
 * Store and PKI figures are read at scrape time, so every instance reports
 * the shared state as it is.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'family' | 'method' | 'status'>;
  private readonly latency: Histogram<'family'>;
  private readonly refusals: Counter<'type' | 'status'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'flexgate_' });
    this.requests = new Counter({
      name: 'flexgate_http_requests_total',
      help: 'Requests answered, by API, method and status',
      labelNames: ['family', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'flexgate_http_request_duration_seconds',
      help: 'Time from a request arriving to its signed response being sent, by API',
      labelNames: ['family'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.refusals = new Counter({
      name: 'flexgate_refusals_total',
      help: 'Requests refused, by problem type (RFC 9457 type URI) and status',
      labelNames: ['type', 'status'],
      registers,
    });

    const outboxOutstanding = new Gauge({
      name: 'flexgate_outbox_outstanding',
      help: 'Notifications pending or retrying, per subscriber queue',
      labelNames: ['subscriber'],
      registers,
    });
    const outboxAge = new Gauge({
      name: 'flexgate_outbox_oldest_outstanding_age_seconds',
      help: 'Age of the oldest outstanding notification, per subscriber queue',
      labelNames: ['subscriber'],
      registers,
    });
    const deadLetters = new Gauge({
      name: 'flexgate_outbox_dead_letters',
      help: 'Notifications given up on (dead-lettered), per subscriber queue',
      labelNames: ['subscriber'],
      registers,
    });
    new Gauge({
      name: 'flexgate_outbox_subscribers',
      help: 'Subscriber queues in the outbox',
      registers,
      async collect() {
        const now = new Date();
        const queues = await queueSummaries(sources.store.db, now);
        outboxOutstanding.reset();
        outboxAge.reset();
        deadLetters.reset();
        for (const queue of queues) {
          const subscriber = queue.subscriberKey;
          outboxOutstanding.set({ subscriber }, queue.pending + queue.retrying);
          deadLetters.set({ subscriber }, queue.dead);
          if (queue.oldestOutstandingAt) outboxAge.set({ subscriber }, Math.max(0, (now.getTime() - Date.parse(queue.oldestOutstandingAt)) / 1000));
        }
        this.set(queues.length);
      },
    });
    new Gauge({
      name: 'flexgate_journal_entries',
      help: 'Messages in the journal',
      registers,
      async collect() {
        const row = await sources.store.db
          .selectFrom('journal')
          .select((eb) => eb.fn.countAll<number>().as('entries'))
          .executeTakeFirst();
        this.set(Number(row?.entries ?? 0));
      },
    });
    new Gauge({
      name: 'flexgate_store_bytes',
      help: 'Bytes the store occupies (SQLite file pages, or the PostgreSQL schema with indexes)',
      registers,
      async collect() {
        this.set(await sources.store.sizeBytes());
      },
    });
    const certificateExpiry = new Gauge({
      name: 'flexgate_certificate_expiry_timestamp_seconds',
      help: "When the gateway's certificate and the CAs' certificates expire (Unix time)",
      labelNames: ['certificate'],
      registers,
      async collect() {
        certificateExpiry.reset();
        for (const authority of await listAuthorities(sources.pkiDir))
          certificateExpiry.set({ certificate: `${authority.authority}-ca` }, authority.notAfter.getTime() / 1000);
        const own = (await listCertificates(sources.pkiDir)).filter((c) => c.urn === sources.identity && c.status === 'valid');
        const latest = own.sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())[0];
        if (latest) certificateExpiry.set({ certificate: 'gateway' }, latest.notAfter.getTime() / 1000);
      },
    });
    const crlNextUpdate = new Gauge({
      name: 'flexgate_crl_next_update_timestamp_seconds',
      help: 'When each CA’s current CRL lapses (Unix time); after it every client is refused',
      labelNames: ['authority'],
      registers,
      async collect() {
        crlNextUpdate.reset();
        for (const crl of await listCrls(sources.pkiDir)) if (crl.nextUpdate) crlNextUpdate.set({ authority: crl.authority }, crl.nextUpdate.getTime() / 1000);
      },
    });
  }

  /** Records one answered request. */
  observeRequest(method: string, path: string, status: number, seconds: number): void {
    const family = routeFamily(path);
    this.requests.inc({ family, method, status: String(status) });
    this.latency.observe({ family }, seconds);
  }

  /** Records a refusal by its problem type. */
  countRefusal(type: string, status: number): void {
    this.refusals.inc({ type, status: String(status) });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
