/**
 * Sizes of the benchmark. The full run is what docs/benchmarks.md states its figures for; the
 * quick run (`--quick`, CI) runs every measurement at a small size so the benchmark never rots.
 */
export interface BenchScale {
  readonly name: 'full' | 'quick';
  /** Time-based measurements run the three strategies side by side instead of one after another. */
  readonly strategiesSideBySide: boolean;
  /** Throughput figures wait for the SDK's restart of a subscription's first stream (5 s) before measuring. */
  readonly waitForStreamRestart: boolean;
  /** Overshoot: simultaneous admissions per repetition, limit, repetitions. */
  readonly overshootAdmissions: number;
  readonly overshootLimit: number;
  readonly overshootRepetitions: number;
  /** Release after stop / crash: repetitions (run side by side on separate accounts). */
  readonly releaseRepetitions: number;
  /** Give up waiting for a freed slot after this long (the seeds may never free one). */
  readonly releaseTimeoutMs: number;
  /** False expiry: devices, accounts, and how long they heartbeat. */
  readonly falseExpiryDevices: number;
  readonly falseExpiryAccounts: number;
  readonly falseExpirySeconds: number;
  /** Cost per operation: operations averaged per kind. */
  readonly costOperations: number;
  /** Accuracy: accounts churning, devices per account at most, how long, sample period. */
  readonly accuracyAccounts: number;
  readonly accuracyMaxDevices: number;
  readonly accuracySeconds: number;
  /** Subscriber throughput: seconds per step of the offered-rate ladder. */
  readonly throughputStepSeconds: number;
  /** Subscriber throughput: repetitions of both ladders (each figure is their median, with the spread). */
  readonly throughputRepetitions: number;
  /** Token vending: admissions, over how many accounts. */
  readonly tokenAdmissions: number;
  readonly tokenAccounts: number;
  /** Cold start: fresh processes per bundle. */
  readonly coldStartRuns: number;
  /** Synthesis: runs of the example app. */
  readonly synthesisRuns: number;
  /** Emulator ceiling: messages through one subscription, cache operations. */
  readonly ceilingMessages: number;
  readonly ceilingCacheOps: number;
}

export const FULL_SCALE: BenchScale = {
  name: 'full',
  strategiesSideBySide: false,
  waitForStreamRestart: true,
  overshootAdmissions: 50,
  overshootLimit: 3,
  overshootRepetitions: 20,
  releaseRepetitions: 10,
  releaseTimeoutMs: 30_000,
  falseExpiryDevices: 1_000,
  falseExpiryAccounts: 200,
  falseExpirySeconds: 20,
  costOperations: 200,
  accuracyAccounts: 20,
  accuracyMaxDevices: 6,
  accuracySeconds: 15,
  throughputStepSeconds: 3,
  throughputRepetitions: 3,
  tokenAdmissions: 1_000,
  tokenAccounts: 100,
  coldStartRuns: 5,
  synthesisRuns: 2,
  ceilingMessages: 20_000,
  ceilingCacheOps: 20_000,
};

export const QUICK_SCALE: BenchScale = {
  name: 'quick',
  strategiesSideBySide: true,
  waitForStreamRestart: false,
  overshootAdmissions: 50,
  overshootLimit: 3,
  overshootRepetitions: 3,
  releaseRepetitions: 3,
  releaseTimeoutMs: 5_000,
  falseExpiryDevices: 100,
  falseExpiryAccounts: 20,
  falseExpirySeconds: 4,
  costOperations: 20,
  accuracyAccounts: 5,
  accuracyMaxDevices: 4,
  accuracySeconds: 3,
  throughputStepSeconds: 0.5,
  throughputRepetitions: 1,
  tokenAdmissions: 100,
  tokenAccounts: 10,
  coldStartRuns: 1,
  synthesisRuns: 1,
  ceilingMessages: 2_000,
  ceilingCacheOps: 2_000,
};
