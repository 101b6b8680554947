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
