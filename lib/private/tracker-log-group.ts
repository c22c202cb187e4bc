import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** How every log group of a tracker is kept: the `logRetention`, `logRemovalPolicy` and `encryptionKey` props. */
export interface LogGroupSettings {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey?: kms.IKey;
}

/** A log group of the tracker, kept as the settings say. */
export function trackerLogGroup(scope: Construct, id: string, settings: LogGroupSettings): logs.LogGroup {
  if (settings.encryptionKey) allowLogsToUse(settings.encryptionKey, scope);
  return new logs.LogGroup(scope, id, {
    retention: settings.retention,
    removalPolicy: settings.removalPolicy,
    encryptionKey: settings.encryptionKey,
  });
}

const keysAllowed = new WeakSet<kms.IKey>();

/**
 * CloudWatch Logs encrypts with a customer key only when the key policy lets the regional logs
 * service use it. Added once per key; a key imported by ARN has no policy here to change
 * (`addToResourcePolicy` does nothing), so its owner must allow it (docs/construct.md).
 */
function allowLogsToUse(key: kms.IKey, scope: Construct): void {
  if (keysAllowed.has(key)) return;
  keysAllowed.add(key);
  const stack = Stack.of(scope);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
}
