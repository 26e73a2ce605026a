/**
 * @module test/infra/nag
 * cdk-nag's AwsSolutions checks, wired as `npx cdk synth` wires them (infra/checks.ts), run by
 * the CDK's own policy validation during `app.synth()`. The validation report the synth writes is
 * read back: nothing may be left unacknowledged, and each acknowledgement must say why.
 * Bundling is skipped: the checks read the template, not the functions' code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addAwsSolutionsChecks } from '../../infra/checks.js';
import { PufaStack } from '../../infra/stack.js';

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** An app with the checks on, writing its cloud assembly to a fresh folder. */
function checkedApp(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'pufa-nag-'));
  outDirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  addAwsSolutionsChecks(app);
  return app;
}

const violationSchema = z.object({
  ruleName: z.string(),
  severity: z.string(),
  violatingConstructs: z.array(z.object({ constructPath: z.string() })),
});
const reportSchema = z.object({
  pluginReports: z.array(
    z.object({
      pluginName: z.string(),
      conclusion: z.string(),
      violations: z.array(violationSchema),
      suppressedViolations: z.array(violationSchema.extend({ acknowledgedId: z.string(), reason: z.string() })).default([]),
    }),
  ),
});
type Report = z.infer<typeof reportSchema>;

/** Every acknowledgement recorded anywhere in the app, as id -> reason. */
function acknowledgementsIn(app: App): [string, string][] {
  return app.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(z.record(z.string(), z.string()).parse(entry.data)));
}

describe('cdk-nag AwsSolutions checks', () => {
  let app: App;
  let report: Report;

  beforeAll(() => {
    app = checkedApp();
    new PufaStack(app, 'PufaNag', { county: 'tianquan', timeZone: 'Asia/Shanghai', alarmEmail: 'ops@example.org' });
    // An unacknowledged error throws here, with the report in the message.
    const assembly = app.synth();
    report = reportSchema.parse(JSON.parse(readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')));
  });

  const awsSolutions = () => {
    const found = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    if (!found) throw new Error(`no AwsSolutions report among ${report.pluginReports.map((plugin) => plugin.pluginName).join(', ')}`);
    return found;
  };

  it('ran on the stack and left no error or warning unacknowledged', () => {
    const unacknowledged = awsSolutions().violations.map((violation) => ({
      rule: violation.ruleName,
      severity: violation.severity,
      at: violation.violatingConstructs.map((construct) => construct.constructPath),
    }));
    expect(unacknowledged).toEqual([]);
    expect(awsSolutions().conclusion).toBe('success');
  });

  it('acknowledges only the findings that do not fit the design, each with its reason', () => {
    const acknowledged = awsSolutions().suppressedViolations;
    // One id can be acknowledged on several constructs (each with its own reason): gather them all.
    const byId: Record<string, string[]> = {};
    for (const violation of acknowledged) {
      byId[violation.acknowledgedId] = [...(byId[violation.acknowledgedId] ?? []), ...violation.violatingConstructs.map((construct) => construct.constructPath)].sort();
    }
    // A new acknowledgement must be added here too, so a reviewer sees it in the diff.
    expect(byId).toEqual({
      'AwsSolutions::AwsSolutions-APIG4': ['PufaNag/HttpApi/DefaultRoute/Resource'],
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]': [
        'PufaNag/ApiFunctionRole/DefaultPolicy/Resource',
        'PufaNag/DispatchFunctionRole/DefaultPolicy/Resource',
        'PufaNag/SmsAccount/SettingsFunctionRole/DefaultPolicy/Resource',
      ],
      // Notices' audio objects are named by the hash of their script (infra/speech.ts): the API keeps them, the dispatcher links them.
      'AwsSolutions::AwsSolutions-IAM5[Resource::<SpeechAudioBucketDFB97C7D.Arn>/audio/*]': [
        'PufaNag/ApiFunctionRole/DefaultPolicy/Resource',
        'PufaNag/DispatchFunctionRole/DefaultPolicy/Resource',
      ],
      // Article images are named when staff upload them (infra/article-images.ts): the API keeps them, the dispatcher reads them.
      'AwsSolutions::AwsSolutions-IAM5[Resource::<SpeechAudioBucketDFB97C7D.Arn>/images/*]': [
        'PufaNag/ApiFunctionRole/DefaultPolicy/Resource',
        'PufaNag/DispatchFunctionRole/DefaultPolicy/Resource',
      ],
      // Activities' evidence is named when staff upload it (infra/evidence.ts): only the API receives, keeps and deletes it.
      'AwsSolutions::AwsSolutions-IAM5[Resource::<SpeechAudioBucketDFB97C7D.Arn>/evidence-incoming/*]': ['PufaNag/ApiFunctionRole/DefaultPolicy/Resource'],
      'AwsSolutions::AwsSolutions-IAM5[Resource::<SpeechAudioBucketDFB97C7D.Arn>/evidence/*]': ['PufaNag/ApiFunctionRole/DefaultPolicy/Resource'],
      'AwsSolutions::AwsSolutions-IAM5[Resource::<TableCD117FA1.Arn>/index/*]': [
        'PufaNag/ApiFunctionRole/DefaultPolicy/Resource',
        'PufaNag/DispatchFunctionRole/DefaultPolicy/Resource',
        // Receipts find a subscriber who moved by number, on the byParent index.
        'PufaNag/ReceiptsFunctionRole/DefaultPolicy/Resource',
      ],
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:sns/<AWS::Region>/<AWS::AccountId>/DirectPublishToPhoneNumber*]': [
        'PufaNag/SmsAccount/DeliveryStatusRole/DefaultPolicy/Resource',
      ],
      'AwsSolutions::AwsSolutions-S1': ['PufaNag/Speech/AudioBucket/Resource'],
      'AwsSolutions::AwsSolutions-SMG4': ['PufaNag/PhoneKeySecret/Resource'],
    });
  });

  it('records every acknowledgement with a reason, and none that matches no finding', () => {
    const recorded = acknowledgementsIn(app);
    expect(recorded.length).toBeGreaterThan(0);
    for (const [id, reason] of recorded) {
      // A reason a reviewer can check: a sentence, not "ok" or "n/a".
      expect(reason.trim().length, id).toBeGreaterThanOrEqual(60);
    }
    // A stale acknowledgement (its finding fixed, or its id mistyped) silences nothing: remove it.
    const matched = new Set(awsSolutions().suppressedViolations.map((violation) => violation.acknowledgedId));
    expect(recorded.map(([id]) => id).filter((id) => !matched.has(id))).toEqual([]);
  });

  it('fails the synth on an unacknowledged error', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Careless');
    // No TLS-only policy and no dead-letter queue: AwsSolutions-SQS4 and -SQS3, both errors.
    new Queue(stack, 'Queue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('cdk-nag AwsSolutions checks with the WeChat channel and its NAT egress on', () => {
  let report: Report;
  let app: App;

  beforeAll(() => {
    app = checkedApp();
    new PufaStack(app, 'PufaNagWeChat', { county: 'tianquan', timeZone: 'Asia/Shanghai', alarmEmail: 'ops@example.org', wechat: { egress: 'nat' } });
    const assembly = app.synth();
    report = reportSchema.parse(JSON.parse(readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')));
  });

  const awsSolutions = () => {
    const found = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    if (!found) throw new Error('no AwsSolutions report');
    return found;
  };

  it('leaves nothing unacknowledged: the VPC has flow logs, the security group no inbound rule', () => {
    expect(awsSolutions().violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(awsSolutions().conclusion).toBe('success');
  });

  it('acknowledges, beyond the default stack, only the WeChat secret not rotating and the VPC attachment on "*"', () => {
    const acknowledged = awsSolutions().suppressedViolations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => `${violation.acknowledgedId} ${construct.constructPath}`),
    );
    expect(acknowledged.filter((entry) => entry.includes('PufaNagWeChat/WeChat'))).toEqual(['AwsSolutions::AwsSolutions-SMG4 PufaNagWeChat/WeChat/Secret/Resource']);
    // Each acknowledgement has its reason; the VPC attachment's says why "*".
    const reasons = acknowledgementsIn(app).filter(([id]) => id === 'AwsSolutions::AwsSolutions-IAM5[Resource::*]').map(([, reason]) => reason);
    expect(reasons.some((reason) => reason.includes('AWSLambdaVPCAccessExecutionRole'))).toBe(true);
    // (The CDK's own VPC acknowledges some CloudFormation-Validate rules of its own; only pufa's AwsSolutions ones are checked for staleness.)
    const matched = new Set(awsSolutions().suppressedViolations.map((violation) => violation.acknowledgedId));
    expect(acknowledgementsIn(app).map(([id]) => id).filter((id) => id.startsWith('AwsSolutions::') && !matched.has(id))).toEqual([]);
  });
});
