import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Properties of `MomentoSecrets`. */
export interface MomentoSecretsProps {
  /**
   * Existing secret with the Momento key that may mint disposable tokens.
   * @default - an empty secret is created
   */
  readonly authKeySecret?: secretsmanager.ISecret;
  /**
   * Existing secret with the Momento key for the cache and topics.
   * @default - an empty secret is created
   */
  readonly dataKeySecret?: secretsmanager.ISecret;
  /** What happens to a created secret when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Key of the created secrets; undefined for the AWS-managed key. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The two Momento API keys in Secrets Manager: passed in, or created empty so that no generated
 * value could be mistaken for a key. The README says how to fill them after deploy.
 */
export class MomentoSecrets extends Construct {
  /** Holds the key that mints disposable tokens; read by the token-vending Lambda only. */
  public readonly authKeySecret: secretsmanager.ISecret;
  /** Holds the key for the cache and topics; read by the Lambdas and the subscriber. */
  public readonly dataKeySecret: secretsmanager.ISecret;
  /** Whether the auth-key secret was created here (and must be filled after deploy). */
  public readonly createdAuthKeySecret: boolean;
  /** Whether the data-key secret was created here (and must be filled after deploy). */
  public readonly createdDataKeySecret: boolean;

  constructor(scope: Construct, id: string, props: MomentoSecretsProps) {
    super(scope, id);
    this.createdAuthKeySecret = props.authKeySecret === undefined;
    this.createdDataKeySecret = props.dataKeySecret === undefined;
    this.authKeySecret =
      props.authKeySecret ??
      emptySecret(this, 'AuthKey', 'Momento API key allowed to mint disposable tokens (token vending only).', props);
    this.dataKeySecret =
      props.dataKeySecret ??
      emptySecret(this, 'DataKey', 'Momento API key for the concurrency cache and heartbeat topics.', props);
  }
}

function emptySecret(
  scope: Construct,
  id: string,
  description: string,
  props: MomentoSecretsProps,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description,
    removalPolicy: props.removalPolicy,
    encryptionKey: props.encryptionKey,
  });
  // The L2 Secret generates a random value when given none; a Momento key must be set by a person,
  // and a random string in its place would only fail later with a confusing auth error.
  (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
  return secret;
}
