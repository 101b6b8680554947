/**
 * The seed of a property test run: FLEXGATE_PROPERTY_SEED when set (to replay
 * a failure), else a fresh one. Printed either way.
 */
export function propertySeed(label: string): number {
  const given = process.env.FLEXGATE_PROPERTY_SEED;
  const seed = given !== undefined && /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  console.log(`      ${label}: fast-check seed ${seed} (replay with FLEXGATE_PROPERTY_SEED=${seed})`);
  return seed;
}
