import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Validation in the manner of aws-cdk-lib's `validateAllProps` (aws-sqs/lib/validate-queue-props):
 * every check runs, every hard problem is collected, and one error names the construct path and
 * lists them all, so a user fixes their props in one pass instead of one synth per mistake.
 */
export class PropProblems {
  private readonly problems: string[] = [];

  /** Records a hard problem (what is wrong and what to change). */
  public add(message: string): void {
    this.problems.push(message);
  }

  /** Every problem recorded so far. */
  public get all(): readonly string[] {
    return this.problems;
  }

  /** Throws one error listing every problem, naming the construct and its path; does nothing when there is none. */
  public throwIfAny(scope: IConstruct, className: string): void {
    if (this.problems.length === 0) return;
    throw new Error(
      `${className} at '${scope.node.path}' has invalid props:\n` + this.problems.map((p) => `- ${p}`).join('\n'),
    );
  }
}

/**
 * Whether a value is known at synthesis. Every check skips a value that is still a token (a
 * parameter, an import): CloudFormation or the runtime checks it at deploy instead. One function,
 * so that each check treats tokens the same way.
 */
export function isKnown<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}
