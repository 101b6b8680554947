/** One line of `npm run bench`: a measurement, its ratio to the run's baseline and the goal it answers to. */
export interface BenchRow {
  group: string;
  what: string;
  value: number;
  unit: string;
  ratio?: number;
  baseline?: string;
  goal?: string;
  met?: boolean;
}

/** The middle value (the mean of the two middle ones for an even count): what noisy repeated timings are compared by. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
