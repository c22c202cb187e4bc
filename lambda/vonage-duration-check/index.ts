import { expireRooms, type ExpiryReport } from '../vonage/room-expiry';
import { loadVonageRuntime } from '../vonage/vonage-runtime';

/** Run every minute by an EventBridge rule: empties rooms whose duration ran out. */
export async function handler(): Promise<ExpiryReport> {
  const runtime = await loadVonageRuntime({ privateKey: true, callbackSecret: false });
  try {
    const report = await expireRooms(runtime.deps);
    runtime.deps.logger.info('vonage duration check', { ...report });
    return report;
  } finally {
    runtime.flush();
  }
}
