#!/usr/bin/env node
// The example app `npx cdk synth` runs: one stack with a ConcurrencyTracker and its outputs.
// It is environment-agnostic (no account or region), so it synthesizes offline without credentials.
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConcurrencyTracker } from '../lib';
import { ensureBundles } from './ensure-bundles';

/** An example stack: the tracker with defaults, a role for the backend, and the outputs to use them. */
export class ConcurrencyTrackerExampleStack extends Stack {
  /** The tracker. */
  public readonly tracker: ConcurrencyTracker;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // `-c subscriberDesiredCount=N`: tasks per subscriber service. The first deploy needs no special
    // value: with the key secrets still empty the subscribers run and wait for their keys.
    const desired = this.node.tryGetContext('subscriberDesiredCount') as string | number | undefined;

    // `-c momentoEndpoint=cell-...momentohq.com`: the endpoint the v2 API keys of the console need.
    const momentoEndpoint = this.node.tryGetContext('momentoEndpoint') as string | undefined;

    // `-c apiCloudWatchRole=true` in an account where no API has set up API Gateway logging yet: the
    // stage's access log needs the account's logging role, which is one per account and region.
    const apiCloudWatchRole = String(this.node.tryGetContext('apiCloudWatchRole')) === 'true';

    this.tracker = new ConcurrencyTracker(this, 'Tracker', {
      momentoEndpoint,
      apiCloudWatchRole,
      monitoring: { dashboard: true, alarms: true },
      subscriberDesiredCount: desired === undefined ? undefined : Number(desired),
    });

    // The backend that calls the IAM-authorised API assumes this role.
    const backendRole = new iam.Role(this, 'BackendRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Backend caller of the concurrency tracker API',
    });
    this.tracker.grantInvoke(backendRole);

    new CfnOutput(this, 'ApiUrl', { value: this.tracker.apiUrl, description: 'Invoke URL of the tracker API' });
    new CfnOutput(this, 'AuthKeySecretArn', {
      value: this.tracker.authKeySecret.secretArn,
      description: 'Fill with the Momento key that may mint disposable tokens',
    });
    new CfnOutput(this, 'DataKeySecretArn', {
      value: this.tracker.dataKeySecret.secretArn,
      description: 'Fill with the Momento key for the cache and topics',
    });
    new CfnOutput(this, 'BackendRoleArn', { value: backendRole.roleArn, description: 'Role allowed to call the API' });
    new CfnOutput(this, 'CacheName', { value: this.tracker.cacheName, description: 'Momento cache to create' });
  }
}

/** Builds the example app (exported so a test can synthesize it in-process). */
export function buildApp(app: App = new App()): App {
  new ConcurrencyTrackerExampleStack(app, 'ConcurrencyTrackerExample', {
    description: 'cdk-concurrency-tracker example: device concurrency limits on Momento',
  });
  return app;
}

if (require.main === module) {
  ensureBundles();
  buildApp().synth();
}
