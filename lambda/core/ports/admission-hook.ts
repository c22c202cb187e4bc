import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { MAX_LIMIT } from '../runtime/config';

/** What the admission hook is asked. */
export interface AdmissionHookInput {
  readonly accountId: string;
  readonly deviceId: string;
  readonly contentId?: string;
  readonly kind?: string;
  readonly scope: string;
  readonly defaultLimit: number;
}

/** The hook's answer: allow or deny, and optionally the limit for this request. */
export const admissionDecisionSchema = z.object({
  allow: z.boolean(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  reason: z.string().max(200).optional(),
});

export type AdmissionDecision = z.infer<typeof admissionDecisionSchema>;

export interface AdmissionHook {
  decide(input: AdmissionHookInput): Promise<AdmissionDecision>;
}

export class AdmissionHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdmissionHookError';
  }
}

/** Calls the user's hook Lambda synchronously and validates its answer. */
export class LambdaAdmissionHook implements AdmissionHook {
  constructor(
    private readonly functionArn: string,
    private readonly client: LambdaClient = new LambdaClient({}),
  ) {}

  async decide(input: AdmissionHookInput): Promise<AdmissionDecision> {
    const result = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionArn,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(input)),
      }),
    );
    if (result.FunctionError) {
      throw new AdmissionHookError(`admission hook failed: ${result.FunctionError}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(result.Payload ?? new Uint8Array()));
    } catch {
      throw new AdmissionHookError('admission hook returned something that is not JSON');
    }
    const decision = admissionDecisionSchema.safeParse(body);
    if (!decision.success) {
      throw new AdmissionHookError(`admission hook answer is invalid: ${decision.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return decision.data;
  }
}

/** How long an admission may wait for the hook before it fails (503 `admission-hook-failed`). */
export const ADMISSION_HOOK_TIMEOUT_MS = 5000;

/** Asks the hook, failing with an {@link AdmissionHookError} when it takes longer than `ms`. */
export async function decideWithin(hook: AdmissionHook, input: AdmissionHookInput, ms: number = ADMISSION_HOOK_TIMEOUT_MS): Promise<AdmissionDecision> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AdmissionHookError(`admission hook did not answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([hook.decide(input), late]);
  } catch (error) {
    if (error instanceof AdmissionHookError) throw error;
    throw new AdmissionHookError(`admission hook failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
