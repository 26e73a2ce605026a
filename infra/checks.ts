/**
 * @module infra/checks
 * cdk-nag's AwsSolutions rules, run by the CDK's own policy validation on every synth: an
 * unacknowledged error fails `cdk synth` (and `cdk deploy`, which synthesizes first). Findings
 * that do not fit pufa's design are acknowledged in the stack, next to the resource, with the
 * reason; the synth report lists them as acknowledged. The CDK app and the tests call the same
 * function, so the tests check what a synth checks.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function addAwsSolutionsChecks(app: App): void {
  // verbose: each finding in the report carries the rule's explanation, not only its title.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
