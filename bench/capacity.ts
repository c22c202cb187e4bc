import { DEADLINE_WRITE_MAX_BATCH, DEADLINE_WRITE_WINDOW_MS } from '../lambda/core/engine/deadline-index-writer';
import { DEFAULT_MAX_CONCURRENCY } from '../lambda/heartbeat-subscriber/heartbeat-subscriber';

/**
 * docs/capacity.md, written by the full benchmark run from its own figures and Momento's
 * documented limits and prices. Every number in the page is either a measured figure (named
 * after its row in docs/benchmarks.md), a documented Momento value (cited below), or an
 * assumption stated in the page's assumptions table.
 */

/** A documented Momento value, with where it is written. */
interface Documented {
  readonly value: number;
  readonly text: string;
  readonly source: string;
}

const DOCS = 'https://github.com/momentohq/public-dev-docs/blob';
/** The docs snapshot the limits were read from (2026-08-22). */
const DOCS_COMMIT = '019c888d1b921aab74211e37636270ae519dcc3c';
/** The last published on-demand price page, removed as stale on 2024-07-23 (commit aa81213). */
const PRICING_COMMIT = '5ad3c84e2283bb7f8ebc71049a6de199e40bed36';

export const MOMENTO: Record<string, Documented> = {
  topicOpsPerSecond: {
    value: 10,
    text: 'Topics: 10 operations per second per region (soft limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/topics/limits.mdx`,
  },
  topicSubscriptions: {
    value: 100,
    text: 'Topics: 100 concurrent subscriptions per region (soft limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/topics/limits.mdx`,
  },
  topicPayloadBytes: {
    value: 4096,
    text: 'Topics: 4 KB payload per message (hard limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/topics/limits.mdx`,
  },
  topicDeliveryOps: {
    value: 1,
    text: 'Topics: a publish is one operation and every delivery to a subscription one more',
    source: `${DOCS}/${DOCS_COMMIT}/docs/topics/limits.mdx`,
  },
  cacheOpsPerSecond: {
    value: 100,
    text: 'Cache: 100 operations per second per region on demand (soft limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/cache/manage/limits.mdx`,
  },
  cacheTtlSeconds: {
    value: 86_400,
    text: 'Cache: item TTL at most 24 hours on demand (hard limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/cache/manage/limits.mdx`,
  },
  authOpsPerSecond: {
    value: 5,
    text: 'Auth: 5 operations per second per Momento account (hard limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/platform/limits/auth.mdx`,
  },
  tokenTtlSeconds: {
    value: 90_000,
    text: 'Auth: a token lives at most 25 hours (hard limit)',
    source: `${DOCS}/${DOCS_COMMIT}/docs/platform/limits/auth.mdx`,
  },
  pricePerGb: {
    value: 0.5,
    text: 'Price: $0.50 per GB transferred in and out of Cache and Topics, metered in 1 KB increments each time',
    source: `${DOCS}/${PRICING_COMMIT}/docs/cache/manage/pricing.md`,
  },
  freeGbPerMonth: {
    value: 5,
    text: 'Price: the first 5 GB transferred each month are free',
    source: `${DOCS}/${PRICING_COMMIT}/docs/cache/manage/pricing.md`,
  },
};

/** Stated assumptions of the model (not measured, not documented). */
export const ASSUMPTIONS = {
  devicesPerAccount: 2,
  sessionMinutes: 60,
  checksPerAdmission: 1,
  subscribersPerShard: 2,
  subscriberCpuTarget: 0.5,
  maxShards: 64,
  tokenTtlSeconds: 3_600,
  secondsPerMonth: 30 * 24 * 3_600,
  kbPerGb: 1_000_000,
} as const;

/** Deployment sizes and the heartbeat interval chosen for each (the lease is three intervals). */
const TIERS = [
  { devices: 10_000, heartbeatSeconds: 10 },
  { devices: 1_000_000, heartbeatSeconds: 30 },
  { devices: 10_000_000, heartbeatSeconds: 60 },
] as const;

/** The measured figures the model needs, by the names the measurements give them. */
export interface CapacityFigures {
  /** Publish, deliveries to every subscriber process of the default deployment, every cache call (Cost per operation). */
  readonly billedOperationsPerHeartbeat?: number;
  readonly leaseCallsPerHeartbeat?: number;
  readonly leaseBytesPerHeartbeat?: number;
  readonly leaseCallsPerCheck?: number;
  readonly leaseCallsPerAdmission?: number;
  readonly subscriberCpuSecondsPer10k?: number;
  readonly subscriberHeartbeatsPerSecond?: number;
  readonly subscriberPeakRssMiB?: number;
  readonly authCallsPerThousandReuseOn?: number;
  readonly authCallsPerThousandReuseOff?: number;
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const money = (value: number) => `$${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;

export function renderCapacity(
  figures: CapacityFigures,
  run: { command: string; date: Date; benchmarksPath: string },
): string {
  const missing = (
    ['leaseCallsPerHeartbeat', 'leaseCallsPerCheck', 'leaseCallsPerAdmission', 'subscriberCpuSecondsPer10k'] as const
  ).filter((k) => figures[k] === undefined);
  const A = ASSUMPTIONS;
  const lines: string[] = [
    '# Capacity',
    '',
    `<!-- Written by \`${run.command}\` together with ${run.benchmarksPath}; do not edit by hand: run it again. -->`,
    '',
    `What a deployment of the tracker needs at 10,000, 1 million and 10 million concurrent devices, and what Momento charges for it, computed by \`${run.command}\` on ` +
      `${run.date.toISOString().slice(0, 10)} from the figures it measured (named after their rows in [benchmarks.md](benchmarks.md)), Momento's documented limits and prices ` +
      '(cited at the end), and the assumptions in the first table. Change an assumption and the arithmetic in each row shows what moves.',
    '',
  ];
  if (missing.length > 0) {
    lines.push(
      `**Not computed**: the run did not measure ${missing.join(', ')}; see benchmarks.md for the failure.`,
      '',
    );
    return `${lines.join('\n')}\n`;
  }
  const cacheCallsPerHeartbeat = figures.leaseCallsPerHeartbeat! - 1; // the rest is the device's publish
  // Measured on the default deployment (one owner per shard, the standby receiving nothing) when the
  // run has it; otherwise every process of a shard receives every heartbeat and refreshes its lease.
  const billedPerHeartbeat =
    figures.billedOperationsPerHeartbeat ?? 1 + A.subscribersPerShard * (1 + cacheCallsPerHeartbeat);
  const deliveriesPerHeartbeat = figures.billedOperationsPerHeartbeat !== undefined ? 1 : A.subscribersPerShard;
  const cpuPerHeartbeat = figures.subscriberCpuSecondsPer10k! / 10_000;
  const perProcess = (A.subscriberCpuTarget / cpuPerHeartbeat) | 0;
  lines.push(
    '## Assumptions',
    '',
    '| assumption | value | why |',
    '|---|---|---|',
    `| devices per account | ${A.devicesPerAccount} | sets the number of accounts, hence token mints |`,
    `| mean session length | ${A.sessionMinutes} min | sets admissions per second (devices / session length) |`,
    `| entitlement checks per admission | ${A.checksPerAdmission} | a backend checking at play start |`,
    `| subscriber processes per shard | ${A.subscribersPerShard} | the construct's default: one owns the shard and receives its heartbeats, the other stands by (one conditional write per check) |`,
    `| subscriber CPU target | ${A.subscriberCpuTarget * 100} % of one vCPU | a Node.js process uses one core; headroom for bursts and reconnects |`,
    `| token lifetime | ${A.tokenTtlSeconds / 3600} h | the construct's default TOKEN_TTL_SECONDS |`,
    `| billing | every Momento call and every delivery billed as 1 KB | heartbeats and lease calls are far below 1 KB, and metering is in 1 KB increments |`,
    `| heartbeat interval | 10 s / 30 s / 60 s | longer at scale to cut operations; a crashed device holds its slot for one lease (3 intervals) |`,
    '',
    '## Measured figures used',
    '',
    '| figure | value | row in benchmarks.md |',
    '|---|---|---|',
    `| billed operations per heartbeat, default deployment (publish + deliveries + every cache call, 1 KB each) | ${figures.billedOperationsPerHeartbeat !== undefined ? n(figures.billedOperationsPerHeartbeat, 2) : "not measured: modelled as publish + each process's delivery and cache calls"} | Cost per operation: Billed operations per heartbeat (default deployment) |`,
    `| Momento calls per heartbeat (publish + subscriber's cache calls) | ${n(figures.leaseCallsPerHeartbeat!, 2)} | Cost per operation: Calls per heartbeat (leases) |`,
    `| wire bytes per heartbeat (not billed as such) | ${figures.leaseBytesPerHeartbeat !== undefined ? n(figures.leaseBytesPerHeartbeat) : 'not measured'} | Cost per operation: Bytes per heartbeat (leases) |`,
    `| Momento calls per entitlement check | ${n(figures.leaseCallsPerCheck!, 2)} | Cost per operation: Calls per entitlement check (leases) |`,
    `| Momento calls per admission (token excluded) | ${n(figures.leaseCallsPerAdmission!, 2)} | Cost per operation: Calls per admission (leases) |`,
    `| subscriber CPU per 10,000 heartbeats | ${n(figures.subscriberCpuSecondsPer10k!, 2)} s | Subscriber CPU per 10,000 heartbeats |`,
    `| subscriber peak memory | ${figures.subscriberPeakRssMiB !== undefined ? `${n(figures.subscriberPeakRssMiB)} MiB` : 'not measured'} | Subscriber peak memory (RSS) |`,
    `| auth calls per 1,000 admissions, reuse on | ${figures.authCallsPerThousandReuseOn !== undefined ? n(figures.authCallsPerThousandReuseOn) : 'not measured'} | Token vending: auth calls per 1,000 admissions, reuse on |`,
    '',
    `From the CPU figure, one subscriber process at ${A.subscriberCpuTarget * 100} % of a vCPU handles about **${n(perProcess)} heartbeats/s** ` +
      `(${A.subscriberCpuTarget} s of CPU per second over ${n(cpuPerHeartbeat * 1000, 3)} ms of CPU per heartbeat). On this benchmark machine it kept up with ${figures.subscriberHeartbeatsPerSecond !== undefined ? n(figures.subscriberHeartbeatsPerSecond) : '(not measured)'} ` +
      `heartbeats/s against the emulator on two shared cores (benchmarks.md, Subscriber throughput, says where it fell behind); against Momento, a heartbeat of a session the process already knows waits on no call of its own (its deadline joins one batched write per shard, of up to ${DEADLINE_WRITE_MAX_BATCH} sessions, every ${DEADLINE_WRITE_WINDOW_MS} ms), and only a session's first heartbeat after a start reads its record, up to ${DEFAULT_MAX_CONCURRENCY} at a time, so in-region round trips of a few milliseconds (an assumption, not measured here) bound it less than the CPU does. Size on CPU, then verify with a load test in the target region.`,
    '',
  );

  const rows = TIERS.map((tier) => {
    const heartbeatsPerSecond = tier.devices / tier.heartbeatSeconds;
    const shards = Math.max(1, Math.ceil(heartbeatsPerSecond / perProcess));
    const processes = shards * A.subscribersPerShard;
    const admissionsPerSecond = tier.devices / (A.sessionMinutes * 60);
    const accounts = tier.devices / A.devicesPerAccount;
    const topicOps = heartbeatsPerSecond * (1 + deliveriesPerHeartbeat);
    const cacheOps =
      heartbeatsPerSecond * (billedPerHeartbeat - 1 - deliveriesPerHeartbeat) +
      admissionsPerSecond * (figures.leaseCallsPerAdmission! + 2 + A.checksPerAdmission * figures.leaseCallsPerCheck!);
    const authReuse = Math.min(accounts / A.tokenTtlSeconds, admissionsPerSecond);
    // A control topic per device, and the owner of each shard (a standby does not subscribe).
    const subscriptions = tier.devices + (figures.billedOperationsPerHeartbeat !== undefined ? shards : processes);
    const kbPerSecond = topicOps + cacheOps + authReuse;
    const costOf = (kbs: number) =>
      Math.max(0, (kbs * A.secondsPerMonth) / A.kbPerGb - MOMENTO.freeGbPerMonth!.value) * MOMENTO.pricePerGb!.value;
    const gbPerMonth = (kbPerSecond * A.secondsPerMonth) / A.kbPerGb;
    const cost = costOf(kbPerSecond);
    // The same if every process of a shard received and refreshed every heartbeat (no ownership).
    const costBothActive = costOf(
      kbPerSecond +
        heartbeatsPerSecond *
          Math.max(0, 1 + A.subscribersPerShard * (1 + cacheCallsPerHeartbeat) - billedPerHeartbeat),
    );
    const authMaxToken = Math.min(accounts / MOMENTO.tokenTtlSeconds!.value, admissionsPerSecond);
    return {
      tier,
      heartbeatsPerSecond,
      shards,
      processes,
      admissionsPerSecond,
      accounts,
      topicOps,
      cacheOps,
      authReuse,
      authMaxToken,
      subscriptions,
      gbPerMonth,
      cost,
      costBothActive,
    };
  });

  lines.push(
    '## Deployments',
    '',
    `| | ${rows.map((r) => `${n(r.tier.devices)} devices`).join(' | ')} |`,
    `|---|${rows.map(() => '---').join('|')}|`,
    `| heartbeat interval / lease | ${rows.map((r) => `${r.tier.heartbeatSeconds} s / ${3 * r.tier.heartbeatSeconds} s`).join(' | ')} |`,
    `| heartbeats/s (devices / interval) | ${rows.map((r) => n(r.heartbeatsPerSecond)).join(' | ')} |`,
    `| heartbeat shards (TOPIC_SHARDS = heartbeats/s / ${n(perProcess)}) | ${rows.map((r) => `${n(r.shards)}${r.shards > A.maxShards ? ` (**over the maximum of ${A.maxShards}**)` : ''}`).join(' | ')} |`,
    `| subscriber processes (shards × ${A.subscribersPerShard}) | ${rows.map((r) => n(r.processes)).join(' | ')} |`,
    `| topic operations/s (publish + ${deliveriesPerHeartbeat} deliver${deliveriesPerHeartbeat === 1 ? 'y' : 'ies'} per heartbeat) | ${rows.map((r) => n(r.topicOps)).join(' | ')} |`,
    `| concurrent topic subscriptions (a control topic per device + subscribed processes) | ${rows.map((r) => n(r.subscriptions)).join(' | ')} |`,
    `| cache operations/s (${n(billedPerHeartbeat - 1 - deliveriesPerHeartbeat, 2)} per heartbeat + admissions with token read/write and a check) | ${rows.map((r) => n(r.cacheOps)).join(' | ')} |`,
    `| admissions/s (devices / session length) | ${rows.map((r) => n(r.admissionsPerSecond, 1)).join(' | ')} |`,
    `| auth operations/s with token reuse (accounts / token lifetime) | ${rows.map((r) => n(r.authReuse, 1)).join(' | ')} |`,
    `| auth operations/s with reuse and 25 h tokens (the longest Momento allows) | ${rows.map((r) => n(r.authMaxToken, 2)).join(' | ')} |`,
    `| auth operations/s without reuse (one per admission) | ${rows.map((r) => n(r.admissionsPerSecond, 1)).join(' | ')} |`,
    `| data billed per month (1 KB per operation) | ${rows.map((r) => `${n(r.gbPerMonth)} GB`).join(' | ')} |`,
    `| Momento cost per month (first ${MOMENTO.freeGbPerMonth!.value} GB free, $${MOMENTO.pricePerGb!.value}/GB) | ${rows.map((r) => money(r.cost)).join(' | ')} |`,
    `| … per device per month | ${rows.map((r) => `$${(r.cost / r.tier.devices).toFixed(3)}`).join(' | ')} |`,
    `| auth operations/s with reuse against Momento's ${MOMENTO.authOpsPerSecond!.value}/s per account (hard limit) | ${rows.map((r) => `${n(r.authReuse, 1)} (${r.authReuse <= MOMENTO.authOpsPerSecond!.value ? 'within' : '**over**'})`).join(' | ')} |`,
    `| … if both processes of a shard received every heartbeat (no ownership) | ${rows.map((r) => money(r.costBothActive)).join(' | ')} |`,
    '',
    '## Limits to raise',
    '',
    ...rows.map((r) => {
      const raise: string[] = [];
      if (r.topicOps > MOMENTO.topicOpsPerSecond!.value)
        raise.push(
          `topic operations to ${n(Math.ceil(r.topicOps * 1.5))}/s (default ${MOMENTO.topicOpsPerSecond!.value})`,
        );
      if (r.subscriptions > MOMENTO.topicSubscriptions!.value)
        raise.push(
          `concurrent subscriptions to ${n(Math.ceil(r.subscriptions * 1.2))} (default ${MOMENTO.topicSubscriptions!.value})`,
        );
      if (r.cacheOps > MOMENTO.cacheOpsPerSecond!.value)
        raise.push(
          `cache operations to ${n(Math.ceil(r.cacheOps * 1.5))}/s (default ${MOMENTO.cacheOpsPerSecond!.value})`,
        );
      const authNote =
        r.authReuse > MOMENTO.authOpsPerSecond!.value
          ? `auth needs ${n(r.authReuse, 1)} operations/s even with reuse (${n(r.authMaxToken, 2)}/s with 25 h tokens), against ${MOMENTO.authOpsPerSecond!.value}/s per Momento account, listed as a hard limit: ` +
            (r.authMaxToken <= MOMENTO.authOpsPerSecond!.value
              ? 'lengthen TOKEN_TTL_SECONDS towards 25 h'
              : 'ask Momento for more, or spread accounts over several Momento accounts (a device token carries one account as its token id, so tokens cannot be shared across accounts)')
          : `auth stays within ${MOMENTO.authOpsPerSecond!.value}/s only with token reuse (without it: ${n(r.admissionsPerSecond, 1)}/s)`;
      const shardNote =
        r.shards > A.maxShards
          ? `; the shards needed exceed the ${A.maxShards} TOPIC_SHARDS allows: lengthen the heartbeat interval to at least ${n(Math.ceil(r.tier.devices / (A.maxShards * perProcess)))} s, or raise the maximum`
          : '';
      return `- **${n(r.tier.devices)} devices**: raise ${raise.join('; ')}; ${authNote}${shardNote}. ${n(r.processes)} subscriber tasks of 1 vCPU.`;
    }),
    '',
    '## Caveats found by the benchmark',
    '',
    `- Token reuse is what keeps auth within its limit. If the run measured ${figures.authCallsPerThousandReuseOn !== undefined ? n(figures.authCallsPerThousandReuseOn) : 'no'} auth calls per 1,000 admissions with reuse on, ` +
      'compare it with one per account per token lifetime (benchmarks.md, Token vending): above it, the "without reuse" row applies until it is fixed.',
    figures.leaseCallsPerCheck! > 1
      ? `- An entitlement check costs ${n(figures.leaseCallsPerCheck!, 2)} calls, not one: the count is one GetBatch, the session details the rest. A backend that needs only the count pays one.`
      : `- An entitlement check costs ${n(figures.leaseCallsPerCheck!, 2)} call: the count and the session details come from one GetBatch of the scope's limit record and slots.`,
    `- Momento's on-demand cache keeps an item at most ${MOMENTO.cacheTtlSeconds!.value / 3600} h: every TTL the engine sets must stay below it (the per-shard indexes live longer than a session by design).`,
    `- A message is at most ${MOMENTO.topicPayloadBytes!.value / 1024} KB; a heartbeat is about 100 bytes and the engine refuses any above 1 KB.`,
    '- Only the owner of a shard receives its heartbeats; the standby costs one conditional write per check until it takes over (docs/architecture.md, Heartbeat subscriber). A standby buys availability, not throughput.',
    '- Operations, hence cost, scale with devices over the heartbeat interval: doubling the interval halves both, at the price of a crashed device holding its slot twice as long.',
    '',
    '## Sources',
    '',
    ...Object.values(MOMENTO).map((d) => `- ${d.text}: <${d.source}>`),
    '- The on-demand price page was removed from the docs as stale on 2024-07-23 (public-dev-docs commit aa81213); the price above is the last one published. Check the current price before budgeting.',
  );
  return `${lines.join('\n')}\n`;
}
