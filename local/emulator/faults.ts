import { status } from '@grpc/grpc-js';
import { z } from 'zod';

/** The kinds of call a fault can target; `*` is every call. */
export const FAULT_KINDS = ['publish', 'subscribe', 'cache-read', 'cache-write', 'control', 'auth', '*'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The kind of one real call (never `*`). */
export type CallKind = Exclude<FaultKind, '*'>;

/** A latency: a fixed number of milliseconds or a uniform range. */
export type Latency = number | { readonly minMs: number; readonly maxMs: number };

/** What the server does with one call before running its handler. */
export interface FaultDecision {
  /** Milliseconds to wait first (0: none). */
  readonly delayMs: number;
  /** Fail the call with this status code instead of running it. */
  readonly failWith?: status;
}

/** What the fault controller needs from the servers it disturbs. */
export interface FaultTargets {
  /** Ends every open subscription stream with UNAVAILABLE; returns how many were ended. */
  dropSubscriptions(): number;
  /** Resets every open gRPC and HTTP connection. */
  resetConnections(): void;
}

const kindSchema = z.enum(FAULT_KINDS);
const codeSchema = z.number().int().min(1).max(16);
const latencySchema = z.union([
  z.number().nonnegative(),
  z
    .object({ minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() })
    .refine((l) => l.minMs <= l.maxMs, 'minMs must not exceed maxMs'),
]);

interface FailNextRule {
  kind: FaultKind;
  remaining: number;
  code: status;
}
interface FailShareRule {
  kind: FaultKind;
  share: number;
  code: status;
}
interface LatencyRule {
  kind: FaultKind;
  minMs: number;
  maxMs: number;
}

const applies = (rule: { kind: FaultKind }, kind: CallKind): boolean => rule.kind === '*' || rule.kind === kind;

/**
 * Faults injected from code: failed calls, added latency, dropped subscription streams and refused
 * connections. The server consults `decide` on every call; with no rule set that is one check.
 */
export class FaultController {
  private failNextRules: FailNextRule[] = [];
  private failShareRules: FailShareRule[] = [];
  private latencyRules: LatencyRule[] = [];
  private refusedUntil = 0;
  private targets: FaultTargets | undefined;

  /** Connects the controller to the servers (done once by `startEmulator`). */
  attach(targets: FaultTargets): void {
    this.targets = targets;
  }

  /** Ends every open subscription stream with UNAVAILABLE, which the SDK retries by resubscribing. */
  dropSubscriptions(): number {
    return this.targets?.dropSubscriptions() ?? 0;
  }

  /** Fails the next `n` calls of `kind` with `code` (default UNAVAILABLE). */
  failNext(kind: FaultKind, n: number, code: status = status.UNAVAILABLE): void {
    this.failNextRules.push({
      kind: kindSchema.parse(kind),
      remaining: z.number().int().positive().parse(n),
      code: codeSchema.parse(code),
    });
  }

  /** Fails a share (0 to 1) of the calls of `kind` with `code` (default UNAVAILABLE), at random. */
  failShare(kind: FaultKind, share: number, code: status = status.UNAVAILABLE): void {
    this.failShareRules.push({
      kind: kindSchema.parse(kind),
      share: z.number().min(0).max(1).parse(share),
      code: codeSchema.parse(code),
    });
  }

  /** Delays every call of `kind` by a fixed time or a random time within a range. */
  addLatency(kind: FaultKind, latency: Latency): void {
    const parsed = latencySchema.parse(latency);
    const [minMs, maxMs] = typeof parsed === 'number' ? [parsed, parsed] : [parsed.minMs, parsed.maxMs];
    this.latencyRules.push({ kind: kindSchema.parse(kind), minMs, maxMs });
  }

  /** Resets open connections and refuses new ones for `forMs` milliseconds; then recovers by itself. */
  refuseConnections(forMs: number): void {
    this.refusedUntil = Date.now() + z.number().positive().parse(forMs);
    this.targets?.resetConnections();
  }

  /** True while connections are being refused. */
  isRefusingConnections(): boolean {
    return this.refusedUntil > Date.now();
  }

  /** Removes every rule and stops refusing connections. */
  clear(): void {
    this.failNextRules = [];
    this.failShareRules = [];
    this.latencyRules = [];
    this.refusedUntil = 0;
  }

  /** Decides what happens to one call of `kind`; undefined means "run it normally, now". */
  decide(kind: CallKind): FaultDecision | undefined {
    if (this.failNextRules.length === 0 && this.failShareRules.length === 0 && this.latencyRules.length === 0) {
      return undefined;
    }
    let delayMs = 0;
    for (const rule of this.latencyRules) {
      if (applies(rule, kind)) delayMs += rule.minMs + Math.random() * (rule.maxMs - rule.minMs);
    }
    const next = this.failNextRules.find((rule) => applies(rule, kind));
    if (next !== undefined) {
      next.remaining -= 1;
      if (next.remaining === 0) this.failNextRules = this.failNextRules.filter((rule) => rule !== next);
      return { delayMs, failWith: next.code };
    }
    const share = this.failShareRules.find((rule) => applies(rule, kind) && Math.random() < rule.share);
    if (share !== undefined) return { delayMs, failWith: share.code };
    return delayMs > 0 ? { delayMs } : undefined;
  }
}
