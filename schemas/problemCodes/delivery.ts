import type { ProblemSpecs } from './spec.ts';

/**
 * Push delivery of notifications (gateway/delivery/). The admin API answers
 * with the first two; the others name why a delivery attempt failed, in the
 * outbox, its attempt history and the logs, with the status a gateway would
 * report for such a failure upstream.
 */
export const deliveryProblems = {
  'delivery.not-found': { status: 404, title: 'No such delivery' },
  'delivery.in-flight': { status: 409, title: 'Delivery is being attempted now; redeliver once the attempt ends' },
  'delivery.rejected': { status: 502, title: 'Subscriber refused the notification (final 4xx, or a redirect, which is not followed)' },
  'delivery.unavailable': { status: 503, title: 'Subscriber answered 5xx, 408 or 429; retried' },
  'delivery.timeout': { status: 504, title: 'Subscriber or broker did not acknowledge within the attempt timeout' },
  'delivery.unreachable': { status: 502, title: 'Could not connect to the subscriber or the broker' },
  'delivery.callback-url-invalid': { status: 400, title: 'Callback URL cannot receive notifications (absolute http or https URL, no credentials)' },
  'delivery.egress-refused': {
    status: 400,
    title: 'Callback URL reaches an address the gateway does not call (loopback, link-local, private or reserved) and no egress allow-list admits it',
  },
  'delivery.failed': { status: 500, title: 'Notification could not be prepared or handed to its transport' },
  'delivery.abandoned': { status: 500, title: 'The last allowed attempt never finished (its dispatcher stopped)' },
} as const satisfies ProblemSpecs;

export type DeliveryProblemCode = keyof typeof deliveryProblems;
