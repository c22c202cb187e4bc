import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../bin/app';
const app = buildApp();
const stack = app.node.children.find((c: any) => c.templateOptions !== undefined) as any;
const t = Template.fromStack(stack).toJSON();
for (const [id, r] of Object.entries<any>(t.Resources)) {
  if (r.Type === 'AWS::Lambda::Function') console.log(id, JSON.stringify(r.Properties.Environment));
  if (r.Type === 'AWS::ECS::TaskDefinition') console.log(id, JSON.stringify(r.Properties.ContainerDefinitions.map((c: any) => ({e: c.Environment, s: c.Secrets}))));
  if (r.Type === 'AWS::SecretsManager::Secret') console.log(id, JSON.stringify(r.Properties));
}
