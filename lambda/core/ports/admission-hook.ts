// The admission hook as the engine sees it; the Lambda adapter is `adapters/lambda-admission-hook.ts`.
import { errorMessage } from '../error-message';

/** What the admission hook is asked. */
export interface AdmissionHookInput {
  readonly accountId: string;
  readonly deviceId: string;
  readonly contentId?: string;
  readonly kind?: string;
  readonly scope: string;
  readonly defaultLimit: number;
}

/** The hook's answer: allow or deny, and optionally the limit for this request (1 to `MAX_LIMIT`). */
export interface AdmissionDecision {
  readonly allow: boolean;
  readonly limit?: number;
  readonly reason?: string;
}

export interface AdmissionHook {
  decide(input: AdmissionHookInput): Promise<AdmissionDecision>;
}

export class AdmissionHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdmissionHookError';
  }
}

/** How long an admission may wait for the hook before it fails (503 `admission-hook-failed`). */
export const ADMISSION_HOOK_TIMEOUT_MS = 5000;

/** Asks the hook, failing with an {@link AdmissionHookError} when it takes longer than `ms`. */
export async function decideWithin(
  hook: AdmissionHook,
  input: AdmissionHookInput,
  ms: number = ADMISSION_HOOK_TIMEOUT_MS,
): Promise<AdmissionDecision> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AdmissionHookError(`admission hook did not answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([hook.decide(input), late]);
  } catch (error) {
    if (error instanceof AdmissionHookError) throw error;
    throw new AdmissionHookError(`admission hook failed: ${errorMessage(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
