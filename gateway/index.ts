/**
 * The gateway's public entry: the one way to start it. The CLI, the tests,
 * the sandbox and the conformance self-test import this file, never the
 * gateway's internals.
 */
export { startGateway, ACCESS_RULES, type GatewayOptions, type RunningGateway } from './composition.ts';
export { DEFAULT_BUDGETS, type Budgets } from './budgets.ts';
export { createLogger, type Logger } from './log.ts';
export { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from './openadr/config.ts';
export { exportJournalBundle, type BundleExportSummary } from './journal/bundle.ts';
export { loadGatewaySigner } from './journal/gatewaySigner.ts';
export { verifyJournalBundle, trustedRootsFromPem, type BundleVerification } from './journal/verifyBundle.ts';
