import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// How the construct names the cdk-nag findings it acknowledges, in one place.
//
// cdk-nag (3.x, `NagPack.applyRule`) names a finding `<pack>-<rule>` (`AwsSolutions-L1`), and a
// finding of a rule that reports several `<pack>-<rule>[<finding>]`
// (`AwsSolutions-IAM5[Resource::*]`); it honours an acknowledgement recorded in the annotation
// namespace under that name.
//
// aws-cdk-lib (`Validations.acknowledge`) takes `<namespace>::<rule id>`: `::` is reserved as the
// namespace separator, and inside a rule id it is accepted only between brackets (from 2.269.0;
// 2.255-2.268 rejected any second `::`, so `[Policy::arn:<AWS::Partition>:...]` could not be
// acknowledged at all, which is why the peer minimum is 2.269.0). An id without a namespace is
// taken as an annotation's "for backwards compatibility", so the ids are written qualified.

/** The namespace aws-cdk-lib documents for annotation rules, in which cdk-nag reads acknowledgements. */
const ANNOTATION_NAMESPACE = 'annotation';
const OPENING = '([{';
const CLOSING = ')]}';

/** cdk-nag's name for one finding of a rule that reports several: `<rule id>[<finding>]`. */
export function nagFindingId(ruleId: string, finding: string): string {
  return `${ruleId}[${finding}]`;
}

/**
 * The acknowledgement id aws-cdk-lib expects for a cdk-nag id: `annotation::<id>`. Throws when
 * the id breaks aws-cdk-lib's rules (a `::` outside brackets, unbalanced brackets), so a finding
 * that cannot be acknowledged fails here, naming it, rather than inside synthesis.
 */
export function nagAcknowledgementId(id: string): string {
  const open: string[] = [];
  for (let i = 0; i < id.length; i += 1) {
    const c = id[i]!;
    if (c === ':' && id[i + 1] === ':' && open.length === 0) {
      throw new Error(`cdk-nag id '${id}' has a '::' outside brackets, which aws-cdk-lib reserves for its namespace`);
    }
    if (OPENING.includes(c)) open.push(CLOSING[OPENING.indexOf(c)]!);
    else if (CLOSING.includes(c) && open.pop() !== c) {
      throw new Error(`cdk-nag id '${id}' has an unbalanced '${c}', which aws-cdk-lib rejects`);
    }
  }
  if (open.length > 0) throw new Error(`cdk-nag id '${id}' has an unclosed bracket, which aws-cdk-lib rejects`);
  return `${ANNOTATION_NAMESPACE}::${id}`;
}

/** Acknowledges the cdk-nag finding `id` on `scope`, with the reason a reviewer reads. */
export function acknowledgeNagFinding(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: nagAcknowledgementId(id), reason });
}

/** The cdk-nag 3 packs beyond AwsSolutions that regulated adopters run, by their rule-id prefix. */
export const COMPLIANCE_PACKS = {
  serverless: 'Serverless',
  nist: 'NIST.800.53.R5',
  hipaa: 'HIPAA.Security',
  pci: 'PCI.DSS.321',
} as const;

/** Acknowledges one rule of several packs (`<pack>-<rule>`) on `scope`, with one reason. */
export function acknowledgeInPacks(
  scope: IConstruct,
  rule: string,
  packs: ReadonlyArray<(typeof COMPLIANCE_PACKS)[keyof typeof COMPLIANCE_PACKS]>,
  reason: string,
): void {
  for (const pack of packs) acknowledgeNagFinding(scope, `${pack}-${rule}`, reason);
}
