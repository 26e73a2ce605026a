/**
 * Assertions on the synthesized CloudFormation template. Bundling is skipped (the functions'
 * code is not what is under test here); `npx cdk synth` in CI-like runs does bundle.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PufaStack } from '../../infra/stack.js';
import { tableDefinition } from '../../functions/store/table.js';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PufaStack(app, 'PufaTest', { county: 'tianquan', timeZone: 'Asia/Shanghai' });
  template = Template.fromStack(stack);
});

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resourcesOf = (type: string) => Object.values(template.findResources(type)) as Resource[];

describe('the table', () => {
  it('has exactly the keys and indexes of the shared definition', () => {
    const [table] = resourcesOf('AWS::DynamoDB::GlobalTable');
    expect(table).toBeDefined();
    const properties = table?.Properties as {
      KeySchema: { AttributeName: string; KeyType: string }[];
      GlobalSecondaryIndexes: { IndexName: string; KeySchema: { AttributeName: string; KeyType: string }[] }[];
      TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
    };
    expect(properties.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' },
    ]);
    const indexes = properties.GlobalSecondaryIndexes.map((index) => ({ name: index.IndexName, keys: index.KeySchema }));
    expect(indexes).toEqual(
      tableDefinition.indexes.map((index) => ({
        name: index.indexName,
        keys: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
      })),
    );
    expect(properties.TimeToLiveSpecification).toEqual({ AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true });
  });

  it('is on demand, recoverable, deletion-protected and retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });
});

describe('the functions', () => {
  it('are arm64 on a current Node runtime, with the table and county in their environment', () => {
    const functions = resourcesOf('AWS::Lambda::Function').filter((fn) => fn.Properties.Handler === 'index.handler');
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(String(fn.Properties.Runtime)).toMatch(/^nodejs(22|24)\.x$/);
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { PUFA_COUNTY: 'tianquan', PUFA_TIME_ZONE: 'Asia/Shanghai', PUFA_TABLE_NAME: expect.anything() },
      });
    }
  });

  it('get only named actions on the table, never a wildcard', () => {
    const statements = resourcesOf('AWS::IAM::Policy').flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
    const onTable = statements.filter((statement) => JSON.stringify(statement.Resource).includes('Table'));
    expect(onTable.length).toBeGreaterThan(0);
    for (const statement of onTable) {
      const actions = [statement.Action].flat();
      for (const action of actions) {
        expect(action).toMatch(/^dynamodb:[A-Za-z]+$/);
      }
    }
    const allActions = statements.flatMap((statement) => [statement.Action].flat());
    expect(allActions).not.toContain('*');
    expect(allActions).not.toContain('sns:*');
    expect(allActions.filter((action) => action.endsWith(':*'))).toEqual([]);
  });

  it('let only the dispatcher publish: to the station topic, and SMS to phone numbers', () => {
    const publishers = resourcesOf('AWS::IAM::Policy').filter((policy) => JSON.stringify(policy.Properties).includes('sns:Publish'));
    expect(publishers).toHaveLength(1);
    expect(JSON.stringify(publishers[0]?.Properties.Roles)).toContain('DispatchFunction');
    const statements = (publishers[0]?.Properties.PolicyDocument as { Statement: { Sid?: string; Action: string | string[]; Resource: unknown }[] }).Statement;
    const sms = statements.find((statement) => statement.Sid === 'SendSmsToPhoneNumbers');
    expect(sms).toMatchObject({ Action: ['sns:Publish', 'sns:ListPhoneNumbersOptedOut'], Resource: '*' });
  });
});

describe('the schedule', () => {
  it('runs the dispatcher every minute, with a dead-letter queue for failed invocations', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DispatchFunction'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DispatchDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
  });
});

describe('the HTTP API', () => {
  it('sends every route to the API function, with throttling on the default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
  });
});

describe('alarms', () => {
  it('watch dispatch errors, the dead-letter queue and API errors, and notify the alarm topic', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');
    const metrics = alarms.map((alarm) => alarm.Properties.MetricName).sort();
    expect(metrics).toEqual(['ApproximateNumberOfMessagesVisible', 'Errors', 'Errors']);
    for (const alarm of alarms) {
      expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('AlarmTopic');
    }
  });
});
