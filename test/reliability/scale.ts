/**
 * Sizes of the reliability suite. `npm test` runs a reduced size so CI keeps the suite honest
 * within a minute; `RELIABILITY_SCALE=full` (what `npm run test:reliability` sets) runs the sizes
 * the promises in docs/reliability.md are stated for.
 */
export interface ReliabilityScale {
  readonly name: 'full' | 'reduced';
  /** Malformed heartbeats published through the emulator to a running subscriber. */
  readonly fuzzedPayloads: number;
  /** Runs of the property on the subscriber's message handling in process. */
  readonly propertyRuns: number;
  /** Devices heartbeating during the fault run. */
  readonly faultDevices: number;
  /** Length of the fault run. */
  readonly faultSeconds: number;
  /** Simultaneous admissions in the load test, and the accounts they spread over. */
  readonly admissions: number;
  readonly admissionAccounts: number;
}

const full: ReliabilityScale = {
  name: 'full',
  fuzzedPayloads: 10_000,
  propertyRuns: 10_000,
  faultDevices: 200,
  faultSeconds: 60,
  admissions: 1_000,
  admissionAccounts: 100,
};

const reduced: ReliabilityScale = {
  name: 'reduced',
  fuzzedPayloads: 1_000,
  propertyRuns: 1_000,
  faultDevices: 100,
  faultSeconds: 6,
  admissions: 300,
  admissionAccounts: 30,
};

export const scale: ReliabilityScale = process.env.RELIABILITY_SCALE === 'full' ? full : reduced;
