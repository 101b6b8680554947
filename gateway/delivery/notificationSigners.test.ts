import assert from 'node:assert/strict';
import { BROADCAST_AUDIENCE, notificationAudience, subscriberKeyOf } from './notificationSigners.ts';

describe('notification audiences', () => {
  it('are the party at the head of the subscriber key, else every subscriber', () => {
    assert.equal(notificationAudience(subscriberKeyOf('urn:flexgate:fsp:fsp-dev-1', 'https://ven.example/cb')), 'urn:flexgate:fsp:fsp-dev-1');
    assert.equal(notificationAudience(subscriberKeyOf(undefined, 'mqtt:openadr/3.1.0/events/create')), BROADCAST_AUDIENCE);
    assert.equal(notificationAudience('https://ven.example/cb'), BROADCAST_AUDIENCE);
  });
});
