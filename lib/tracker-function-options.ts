import { Duration } from 'aws-cdk-lib';

/** Sizing of one of the tracker's Lambda functions. */
export interface TrackerFunctionOptions {
  /**
   * Memory in MiB (Lambda also scales the CPU with it).
   * @default 256 (128 for the JWT authoriser)
   */
  readonly memorySize?: number;
  /**
   * Time limit of one invocation. API Gateway gives up after 29 s whatever is set here.
   * @default Duration.seconds(10) (5 seconds for the JWT authoriser)
   */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for the function (and its ceiling): bounds what one function
   * can take from the account's Lambda concurrency, and what a flood of requests can cost.
   * @default - none: the function draws on the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}
