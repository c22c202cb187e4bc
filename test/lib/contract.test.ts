import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENVIRONMENT_VARIABLES } from '../../contract/environment';
import { ID_PATTERNS } from '../../contract/identifiers';
import {
  LIFECYCLE_DETAIL_TYPES,
  LIFECYCLE_EVENT_SOURCE as CONTRACT_EVENT_SOURCE,
  type LifecycleDetailType,
} from '../../contract/lifecycle-events';
import { LifecycleEventType, TrackerAuthorization, TrackerLifecycleEvents, TrackerMetricName } from '../../lib';
import { TRACKER_METRIC_NAMES } from '../../lib/tracker-metric-names';
import { z } from 'zod';
import { tokenRequestSchema } from '../../lambda/core/messages/token-request';
import { roomTokenRequestSchema } from '../../lambda/vonage/room-token-request';
import { synthTracker } from './support/tracker-stack';

// The names the construct and the runtime share (docs/architecture.md, "Contracts between the
// construct and the runtime") are defined once, in contract/; checked here against the document,
// what the construct synthesizes and the schemas built from them.

const architecture = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'architecture.md'), 'utf8');

/** The first-column names of the markdown table under a `### heading`. */
function tableNames(heading: string): string[] {
  const start = architecture.indexOf(`### ${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const section = architecture.slice(start).split(/\n#{2,3} /)[0];
  return [...section.matchAll(/^\| `([A-Z_a-z]+)` \|/gm)].map((m) => m[1]);
}

// Type-level: the public enum (jsii needs a literal-valued enum) has exactly the contract's
// detail-types (checked by `npm run typecheck`).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const detailTypesAgree: Same<`${LifecycleEventType}`, LifecycleDetailType> = true;

describe('the construct and the runtime name things the same way', () => {
  test('metrics: the construct, the engine and the document list the same names', () => {
    expect([...TRACKER_METRIC_NAMES].sort()).toEqual(tableNames('Metrics').sort());
    // The public enum (what jsii users see) names exactly the contract's metrics.
    expect(Object.values(TrackerMetricName).sort()).toEqual([...TRACKER_METRIC_NAMES].sort());
  });

  test('lifecycle events: same source and detail-types', () => {
    expect(detailTypesAgree).toBe(true);
    expect(TrackerLifecycleEvents.SOURCE).toBe(CONTRACT_EVENT_SOURCE);
    expect(architecture).toContain(`Source \`${TrackerLifecycleEvents.SOURCE}\``);
    expect(Object.values(LifecycleEventType).sort()).toEqual([...LIFECYCLE_DETAIL_TYPES].sort());
    for (const type of LIFECYCLE_DETAIL_TYPES) expect(architecture).toContain(`\`${type}\``);
  });

  test('every environment variable the construct sets is in the contract table', () => {
    const documented = new Set(tableNames('Environment variables'));
    expect([...documented].sort()).toEqual([...ENVIRONMENT_VARIABLES].sort());
    const { template } = synthTracker({}, (stack) => ({
      admissionHook: lambda.Function.fromFunctionArn(
        stack,
        'Hook',
        'arn:aws:lambda:eu-west-1:123456789012:function:hook',
      ),
      maxSessionDuration: Duration.hours(1),
      momentoEndpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com',
      authorization: TrackerAuthorization.jwt({
        issuer: 'https://idp.example.com',
        audience: ['a'],
        accountClaim: 'acct',
      }),
    }));
    const names = new Set<string>();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment?: { Variables: Record<string, unknown> } };
    }>) {
      const vars = fn.Properties.Environment?.Variables ?? {};
      if ('CACHE_NAME' in vars) Object.keys(vars).forEach((n) => names.add(n));
    }
    for (const def of Object.values(template.findResources('AWS::ECS::TaskDefinition')) as Array<{
      Properties: {
        ContainerDefinitions: Array<{ Environment: Array<{ Name: string }>; Secrets?: Array<{ Name: string }> }>;
      };
    }>) {
      for (const c of def.Properties.ContainerDefinitions) {
        c.Environment.forEach((e) => names.add(e.Name));
        (c.Secrets ?? []).forEach((e) => names.add(e.Name));
      }
    }
    // NODE_OPTIONS only turns on source maps in stack traces; it is Node's, not the contract's.
    names.delete('NODE_OPTIONS');
    expect([...names].filter((n) => !documented.has(n))).toEqual([]);
    // And the construct sets everything the deployed runtime reads (MOMENTO_LOCAL_ENDPOINT is local-only;
    // MOMENTO_DATA_KEY and SESSION_KEY_SECRET are for a subscriber run by hand: a deployed one reads the secrets by ARN).
    const handRunOnly = new Set(['MOMENTO_LOCAL_ENDPOINT', 'MOMENTO_DATA_KEY', 'SESSION_KEY_SECRET']);
    expect([...documented].filter((n) => !names.has(n) && !handRunOnly.has(n))).toEqual([]);
  });

  test('the request models at the edge check the same identifier patterns as the handlers', () => {
    const runtimePattern = (schema: z.ZodType, field: string) =>
      (z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, { pattern?: string }> }).properties[
        field
      ]?.pattern;
    for (const field of ['accountId', 'deviceId', 'contentId', 'kind', 'sessionId', 'sessionKey'] as const) {
      expect([field, runtimePattern(tokenRequestSchema, field)]).toEqual([field, ID_PATTERNS[field]]);
    }
    for (const field of ['roomId', 'accountId'] as const) {
      expect([field, runtimePattern(roomTokenRequestSchema, field)]).toEqual([field, ID_PATTERNS[field]]);
    }
  });
});
