/**
 * @module test/infra/grants
 * What each function may do, read from the synthesized template, against what its code does:
 * the SDK commands constructed in the sources its handler reaches. DynamoDB Local and the SNS
 * sink do not check IAM, so a missing grant would otherwise first show in AWS, as AccessDenied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PufaStack } from '../../infra/stack.js';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(new PufaStack(app, 'PufaGrants', { county: 'tianquan', timeZone: 'Asia/Shanghai' }));
});

type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (type: string) => Object.values(template.findResources(type)) as Resource[];
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };
const statementsOf = (policy: Resource) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
/** The IAM policy attached to the role of the function whose logical id starts with `functionId`. */
const policyOfFunction = (functionId: string) => {
  const policies = resourcesOf('AWS::IAM::Policy').filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`${functionId}Role`));
  expect(policies).toHaveLength(1);
  const [policy] = policies;
  if (!policy) throw new Error(`no policy for ${functionId}`);
  return policy;
};
const grantedActions = (policy: Resource) => new Set(statementsOf(policy).flatMap((statement) => [statement.Action].flat()));

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));

/** Every source file a handler's bundle can hold: the handler and each relative import (not type-only) it reaches. */
function sourcesReachedFrom(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    // A type-only import brings no code into the bundle: it is not followed.
    const code = readFileSync(file, 'utf8').replace(/^(?:import|export) type [^;]*;/gm, '');
    for (const [, path] of code.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const base = resolve(dirname(file), path ?? '');
      const source = [`${base}.ts`, `${base}.tsx`].find((candidate) => existsSync(candidate));
      if (source) pending.push(source);
    }
  }
  return [...seen];
}

/**
 * The IAM actions each AWS SDK command needs. A command missing here fails the test below: map
 * it, and grant it in infra/stack.ts (DynamoDB Local and the SNS sink do not check IAM, so
 * nothing else would notice before a deploy).
 */
const actionsForCommand: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  QueryCommand: ['dynamodb:Query'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  // A transaction is authorized part by part, as the single-item actions it contains.
  TransactWriteCommand: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
  PublishCommand: ['sns:Publish'],
  PublishBatchCommand: ['sns:Publish'],
  ListPhoneNumbersOptedOutCommand: ['sns:ListPhoneNumbersOptedOut'],
  SubscribeCommand: ['sns:Subscribe'],
  UnsubscribeCommand: ['sns:Unsubscribe'],
  ListSubscriptionsByTopicCommand: ['sns:ListSubscriptionsByTopic'],
  GetSubscriptionAttributesCommand: ['sns:GetSubscriptionAttributes'],
  SetSubscriptionAttributesCommand: ['sns:SetSubscriptionAttributes'],
  GetSecretValueCommand: ['secretsmanager:GetSecretValue'],
  // Notices' audio (functions/speech/): Polly, and S3 under audio/. HeadObject is authorized as
  // GetObject; its 404 for a missing key needs ListBucket too (else S3 answers 403).
  SynthesizeSpeechCommand: ['polly:SynthesizeSpeech'],
  PutObjectCommand: ['s3:PutObject'],
  HeadObjectCommand: ['s3:GetObject', 's3:ListBucket'],
  GetObjectCommand: ['s3:GetObject'],
  // Evidence (functions/evidence/): an upload is copied from evidence-incoming/ to evidence/, then deleted.
  CopyObjectCommand: ['s3:GetObject', 's3:PutObject'],
  DeleteObjectCommand: ['s3:DeleteObject'],
};

/** The IAM actions a handler's code can ask for, from the SDK commands its sources construct. */
function actionsNeededBy(handler: string): string[] {
  const commands = new Set(
    sourcesReachedFrom(resolve(functionsDir, 'handlers', `${handler}.ts`)).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/new (\w+Command)\(/g)].map(([, command]) => command ?? ''),
    ),
  );
  const unmapped = [...commands].filter((command) => !(command in actionsForCommand));
  expect(unmapped, 'SDK commands with no IAM actions mapped in this test').toEqual([]);
  return [...new Set([...commands].flatMap((command) => actionsForCommand[command] ?? []))].sort();
}

describe('the grants', () => {
  it('give each function a role of its own, with no AWS managed policy, writing only to its own log group', () => {
    // The API, dispatch and receipts functions' roles, and the SMS account settings' two (infra/sms-account.ts).
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roles.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiFunctionRole',
      'DispatchFunctionRole',
      'ReceiptsFunctionRole',
      'SmsAccountDeliveryStatusRole',
      'SmsAccountSettingsFunctionRole',
    ]);
    for (const role of resourcesOf('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    for (const id of ['ApiFunction', 'DispatchFunction', 'ReceiptsFunction']) {
      const onLogs = statementsOf(policyOfFunction(id)).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('logs:')));
      expect(onLogs).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${id}Logs`)), 'Arn'] },
        },
      ]);
    }
  });

  it.each([
    ['api', 'ApiFunction'],
    ['dispatch', 'DispatchFunction'],
    ['receipts', 'ReceiptsFunction'],
  ])('let the %s handler send every command its code constructs, and nothing more on the table', (handler, functionId) => {
    const granted = grantedActions(policyOfFunction(functionId));
    const needed = actionsNeededBy(handler);
    expect(needed.filter((action) => !granted.has(action)), 'needed but not granted').toEqual([]);
    // No Scan, no stream reads, no DescribeTable: nothing the code does not send.
    const tableGranted = [...granted].filter((action) => action.startsWith('dynamodb:')).sort();
    expect(tableGranted).toEqual(needed.filter((action) => action.startsWith('dynamodb:')));
    // Nor any SNS action its code does not ask for (the API: the station topic's subscriptions only).
    const snsGranted = [...granted].filter((action) => action.startsWith('sns:')).sort();
    expect(snsGranted).toEqual(needed.filter((action) => action.startsWith('sns:')));
  });

  it('let the API keep station subscriptions on the station topic only, and follow them where SNS allows no narrower resource', () => {
    const statements = statementsOf(policyOfFunction('ApiFunction')).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sns:')));
    expect(statements).toEqual([
      { Sid: 'SubscribeStationEndpoints', Effect: 'Allow', Action: ['sns:Subscribe', 'sns:ListSubscriptionsByTopic'], Resource: { Ref: expect.stringMatching(/^StationTopic/) } },
      { Sid: 'FollowStationSubscriptions', Effect: 'Allow', Action: ['sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'], Resource: '*' },
    ]);
    template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'pufa station scripts', SignatureVersion: '2' });
  });
});
