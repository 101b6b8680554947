// A gateway's delivery half as its own process, for the crash test: `node --import tsx dispatcherProcess.ts '<json>'`.
import type { StoreOptions } from '../../store/store.ts';
import { DeliveryDispatcher } from '../dispatcher.ts';
import { webhookEnvelopeSigner } from '../notificationSigners.ts';
import { WebhookTransport } from '../webhookTransport.ts';
import { openDeliveryStore } from './deliveryStore.ts';
import { testEnvelopeSigner } from './testSigner.ts';
import { EgressPolicy, LOOPBACK_EGRESS } from '../egress.ts';

/** The receivers here listen on loopback, which the gateway refuses by default. */
const LOOPBACK = new EgressPolicy(LOOPBACK_EGRESS);

interface ProcessSettings {
  storeOptions: StoreOptions;
  leaseMs: number;
  attemptTimeoutMs: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as ProcessSettings;
const { store, db } = await openDeliveryStore(settings.storeOptions);
const dispatcher = new DeliveryDispatcher({
  db,
  dialect: store.dialect,
  transports: { webhook: new WebhookTransport({ egress: LOOPBACK, sign: webhookEnvelopeSigner({ db: store.db, signer: testEnvelopeSigner().signer }) }) },
  leaseMs: settings.leaseMs,
  attemptTimeoutMs: settings.attemptTimeoutMs,
  pollIntervalMs: 50,
  name: `child/${process.pid}`,
});
dispatcher.start();
process.stdout.write('dispatching\n');
