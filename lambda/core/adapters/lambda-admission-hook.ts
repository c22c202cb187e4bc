import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { MAX_LIMIT } from '../../../contract/limits';
import {
  AdmissionHookError,
  type AdmissionDecision,
  type AdmissionHook,
  type AdmissionHookInput,
} from '../ports/admission-hook';
import { describeIssues } from '../schema-issues';

/** The hook Lambda's answer, checked before the engine acts on it. */
export const admissionDecisionSchema = z.object({
  allow: z.boolean(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  reason: z.string().max(200).optional(),
}) satisfies z.ZodType<AdmissionDecision>;

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
      throw new AdmissionHookError(`admission hook answer is invalid: ${describeIssues(decision.error, '(answer)')}`);
    }
    return decision.data;
  }
}
