import type { EgressPolicy } from '../delivery/egress.ts';

/** A program the VTN runs for one DSO's constraint zone; ANM events go into the program of their constraint. */
export interface ProgramConfig {
  programName: string;
  /** The DSO running it (party id, as in `urn:flexgate:dso:<id>`). */
  dso: string;
  /** Constraint ids of the zone; empty means every constraint no other program names. */
  constraintIds: string[];
  /** Requests about this program's events (reports) must be signed with the flexgate envelope. */
  signaturesRequired: boolean;
}

export interface OpenadrConfig {
  programs: ProgramConfig[];
  /** Access token lifetime; tokens are bound to the client certificate as well. */
  tokenLifetimeSeconds: number;
  /** Absolute URL of this VTN's API root as clients reach it, for `/auth/server`. */
  publicBaseUrl: string;
  /** Length of an event interval: the settlement period. */
  intervalMinutes: number;
  /** Constraint period assumed for a merit order list with a period start but no trade book, as the look-ahead reader does for an open-ended constraint. */
  defaultPeriodMinutes: number;
  /** The MQTT broker the VTN publishes notifications to, as VENs reach it; advertised at /notifiers. */
  mqttBrokerUrl: string;
  /** Where subscription callbacks may point (the gateway's egress policy); default public addresses only. */
  egress?: EgressPolicy;
}

/** One program for the development DSO's whole network, half-hour intervals, one-hour tokens. */
export const DEFAULT_OPENADR_CONFIG: OpenadrConfig = {
  programs: [{ programName: 'anm-dispatch-dso-dev', dso: 'dso-dev', constraintIds: [], signaturesRequired: false }],
  tokenLifetimeSeconds: 3600,
  publicBaseUrl: 'https://localhost:8443/openadr/3.1.0',
  intervalMinutes: 30,
  defaultPeriodMinutes: 30,
  mqttBrokerUrl: 'mqtt://127.0.0.1:1883',
};

/** The program of a constraint: the one naming it, else the catch-all. */
export function programFor(config: OpenadrConfig, constraintId: string | undefined): ProgramConfig {
  const named = constraintId === undefined ? undefined : config.programs.find((p) => p.constraintIds.includes(constraintId));
  const chosen = named ?? config.programs.find((p) => p.constraintIds.length === 0);
  if (!chosen) throw new Error(`No OpenADR program covers constraint ${constraintId ?? '(unknown)'}: configure a program with no constraintIds`);
  return chosen;
}
