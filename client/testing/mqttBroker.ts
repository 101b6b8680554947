import mqtt from 'mqtt';

/** The broker the tests use (Mosquitto on this machine unless FLEXGATE_TEST_MQTT_URL says otherwise). */
export const TEST_MQTT_URL = process.env.FLEXGATE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Skips the calling test loudly, with how to start the broker, when none answers at TEST_MQTT_URL. */
export async function requireMqttBroker(test: Mocha.Context): Promise<void> {
  const probe = mqtt.connect(TEST_MQTT_URL, { connectTimeout: 2000, reconnectPeriod: 0 });
  const reachable = await new Promise<boolean>((resolve) => {
    probe.once('connect', () => resolve(true));
    probe.once('error', () => resolve(false));
    setTimeout(() => resolve(false), 2500);
  });
  probe.end(true);
  if (reachable) return;
  console.warn(`\n  !! SKIPPED: no MQTT broker at ${TEST_MQTT_URL}; start it with: mosquitto -d -c /etc/mosquitto/mosquitto.conf\n`);
  test.skip();
}
