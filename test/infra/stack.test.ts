/**
 * @module test/infra/stack
 * Assertions on the synthesized CloudFormation template. Bundling is skipped (the functions'
 * code is not what is under test here); `npx cdk synth` in CI-like runs does bundle.
 */
import { ALARM_LINES } from '../../functions/domain/alarm-lines.js';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Speech } from '../../infra/speech.js';
import { PufaStack, type PufaStackProps } from '../../infra/stack.js';
import { DISPATCH_RESERVED_CONCURRENCY, DISPATCH_TIMEOUT_SECONDS, dispatchBudgetMs } from '../../functions/handlers/dispatch-schedule.js';
import { DISPATCH_METRICS, dispatchCounts, RECEIPT_METRICS, receiptCounts } from '../../functions/handlers/metrics.js';
import { createLogger } from '../../functions/http/logger.js';
import { tableDefinition } from '../../functions/store/table.js';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PufaStack(app, 'PufaTest', { county: 'tianquan', timeZone: 'Asia/Shanghai' });
  template = Template.fromStack(stack);
});

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resourcesOf = (type: string) => Object.values(template.findResources(type)) as Resource[];
/** pufa's two functions (API and dispatch), not the CDK's custom-resource provider beside them. */
const pufaFunctions = (stack: Template) =>
  Object.entries(stack.findResources('AWS::Lambda::Function'))
    .filter(([id]) => /^(Api|Dispatch)Function[0-9A-F]{8}$/.test(id))
    .map(([, fn]) => fn as Resource);

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
    const functions = pufaFunctions(template);
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(String(fn.Properties.Runtime)).toMatch(/^nodejs24\.x$/);
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { PUFA_COUNTY: 'tianquan', PUFA_TIME_ZONE: 'Asia/Shanghai', PUFA_TABLE_NAME: expect.anything() },
      });
    }
  });

  it('pass the CORS origins from context to the functions, and none when unset', () => {
    const variables = (stack: Template) =>
      pufaFunctions(stack).map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PUFA_CORS_ORIGINS);
    expect(variables(template)).toEqual([undefined, undefined]);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const open = new PufaStack(app, 'PufaCors', { county: 'tianquan', timeZone: 'Asia/Shanghai', corsOrigins: 'https://pufa.example.gov.cn' });
    expect(variables(Template.fromStack(open))).toEqual(['https://pufa.example.gov.cn', 'https://pufa.example.gov.cn']);
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
  const dispatchFunction = () => {
    const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('DispatchFunction'));
    return (fn?.[1] as Resource).Properties as { Timeout: number; ReservedConcurrentExecutions?: number };
  };
  const periodSeconds = () => {
    const [rule] = resourcesOf('AWS::Events::Rule');
    const [, count, unit] = String(rule?.Properties.ScheduleExpression).match(/^rate\((\d+) (minute|minutes)\)$/) ?? [];
    expect(unit).toBeDefined();
    return Number(count) * 60;
  };

  it('gives each run a timeout past the next tick, so consecutive runs overlap and one is always sending', () => {
    const { Timeout } = dispatchFunction();
    const period = periodSeconds();
    expect(Timeout).toBe(DISPATCH_TIMEOUT_SECONDS);
    // The budget (timeout less the margin) reaches past the next tick...
    expect(dispatchBudgetMs(Timeout * 1000)).toBeGreaterThan(period * 1000);
    // ...but the timeout stays under two periods: run k has ended before run k+2 starts.
    expect(Timeout).toBeLessThan(2 * period);
  });

  it('reserves just the concurrency of the runs that overlap', () => {
    const { Timeout, ReservedConcurrentExecutions } = dispatchFunction();
    expect(ReservedConcurrentExecutions).toBe(DISPATCH_RESERVED_CONCURRENCY);
    // Runs alive at once on the schedule alone: ceil(timeout / period).
    expect(ReservedConcurrentExecutions).toBe(Math.ceil(Timeout / periodSeconds()));
  });

  it("leaves the dispatcher unreserved when asked ('none'), and refuses 0, which would stop it", () => {
    const unreserved = Template.fromStack(
      new PufaStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'PufaUnreserved', { county: 'tianquan', timeZone: 'Asia/Shanghai', dispatchReservedConcurrency: 'none' }),
    );
    expect(pufaFunctions(unreserved).map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual([undefined, undefined]);
    expect(
      () => new PufaStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'PufaZero', { county: 'tianquan', timeZone: 'Asia/Shanghai', dispatchReservedConcurrency: 0 }),
    ).toThrow(/at least 1/);
  });

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

  it('writes a JSON access log with no path, query or headers to a retained log group', () => {
    const [stage] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string } | undefined;
    const [logGroupId = ''] = settings?.DestinationArn['Fn::GetAtt'] ?? [];
    expect(logGroupId).toMatch(/^ApiAccessLogs/);
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365 },
    });
    const format = JSON.parse(settings?.Format ?? '{}') as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', errorType: '$context.error.responseType' });
    expect(Object.values(format).filter((variable) => /path|querystring|header|body/i.test(variable))).toEqual([]);
  });

  it("names in the access log the ids the function logs (API Gateway's and Lambda's request ids), the route, the latency and why the function could not answer", () => {
    const [stage] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const format = JSON.parse((stage?.Properties.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    expect(format).toEqual({
      requestId: '$context.requestId',
      integrationRequestId: '$context.integration.requestId',
      time: '$context.requestTime',
      ip: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      route: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      latencyMs: '$context.responseLatency',
      integrationStatus: '$context.integrationStatus',
      integrationLatencyMs: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      errorType: '$context.error.responseType',
    });
  });
});

describe('alarms', () => {
  type Alarm = {
    MetricName: string;
    Namespace: string;
    Statistic: string;
    Threshold: number;
    Dimensions?: { Name: string; Value: unknown }[];
    AlarmActions: unknown;
    AlarmDescription: string;
    Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  };
  const alarms = () => resourcesOf('AWS::CloudWatch::Alarm').map((alarm) => alarm.Properties as unknown as Alarm);
  const alarmOn = (metricName: string, dimension?: RegExp) => {
    const found = alarms().filter(
      (alarm) => alarm.MetricName === metricName && (!dimension || dimension.test(JSON.stringify(alarm.Dimensions ?? []))),
    );
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('watch a dispatcher that stopped running or could not be started, dispatch and receipts errors, failed deliveries, logged dispatcher errors, SMS budget stops and auto-paused notices, the dead-letter queues, API errors and the delivery rate, and notify the alarm topic', () => {
    const metrics = alarms().map((alarm) => alarm.MetricName ?? alarm.Metrics?.find((metric) => metric.Expression)?.Expression?.slice(0, 2)).sort();
    // Each twice over: dispatch and receipts (infra/receipts.ts) have their own errors and dead-letter queue.
    // "IF": the delivery rate, a metric-math expression. No SMS spend alarm: no spend limit in this stack's context.
    expect(metrics).toEqual([
      '5xx',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'DeliveriesFailed',
      'DispatcherLoggedErrors',
      'Errors',
      'Errors',
      'FailedInvocations',
      'IF',
      'Invocations',
      'NoticesAutoPaused',
      'SmsBudgetReached',
    ]);
    for (const alarm of alarms()) {
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlarmTopic');
    }
  });

  it('fire when the dispatcher has not been invoked for 5 minutes, no data counting as not run', () => {
    expect(alarmOn('Invocations', /DispatchFunction/)).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmDescription: expect.stringContaining('has not run for 5 minutes'),
    });
  });

  it('fire when EventBridge could not invoke the dispatcher on its schedule', () => {
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule'))[0];
    expect(alarmOn('FailedInvocations')).toMatchObject({
      Namespace: 'AWS/Events',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire on the first error of the dispatch function', () => {
    expect(alarmOn('Errors', /DispatchFunction/)).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
  });

  it('fire on the first error of the receipts function, and on a receipts batch given up', () => {
    expect(alarmOn('Errors', /ReceiptsFunction/)).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
    expect(alarmOn('ApproximateNumberOfMessagesVisible', /ReceiptsDeadLetterQueue/)).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1 });
  });

  it('count the 5xx answers callers saw at the HTTP API', () => {
    expect(alarmOn('5xx', /HttpApi/)).toMatchObject({ Namespace: 'AWS/ApiGateway', Statistic: 'Sum', Threshold: 5 });
  });

  it('fire on the first message visible in the dead-letter queue', () => {
    expect(alarmOn('ApproximateNumberOfMessagesVisible', /DispatchDeadLetterQueue/)).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1 });
  });

  it("count failed deliveries from the dispatch function's embedded metrics and fire on the first one", () => {
    expect(alarmOn('DeliveriesFailed')).toMatchObject({
      Namespace: 'Pufa/PufaTest',
      Dimensions: [{ Name: 'service', Value: 'dispatch' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
    // The handler emits exactly that name from the invocation's summary.
    expect(DISPATCH_METRICS.failed).toBe('DeliveriesFailed');
    expect(dispatchCounts({ sent: 5, failed: 2, uncertain: 1, expired: 0, skipped: 3 })).toEqual([
      ['DeliveriesSent', 5],
      ['DeliveriesFailed', 2],
      ['DeliveriesUncertain', 1],
      ['DeliveriesExpired', 0],
      ['DeliveriesSkipped', 3],
    ]);
    // No log metric filter counts them any more: one source for the number.
    expect(resourcesOf('AWS::Logs::MetricFilter').map((filter) => (filter.Properties.MetricTransformations as { MetricName: string }[])[0]?.MetricName).sort()).toEqual([
      'DispatcherLoggedErrors',
      'NoticesAutoPaused',
      'SmsBudgetReached',
    ]);
  });

  it('give the dispatch and receipts functions the namespace their embedded metrics go to, and the API none', () => {
    const variablesOf = (pattern: RegExp) => {
      const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => pattern.test(id));
      return ((fn?.[1] as Resource | undefined)?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    };
    expect(variablesOf(/^DispatchFunction[0-9A-F]{8}$/).POWERTOOLS_METRICS_NAMESPACE).toBe('Pufa/PufaTest');
    expect(variablesOf(/^ReceiptsFunction[0-9A-F]{8}$/).POWERTOOLS_METRICS_NAMESPACE).toBe('Pufa/PufaTest');
    expect(variablesOf(/^ApiFunction[0-9A-F]{8}$/).POWERTOOLS_METRICS_NAMESPACE).toBeUndefined();
  });

  it('count errors the dispatcher logs and carries on from, and fire on the first one', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^DispatchFunctionLogs') },
      FilterPattern: '{ $.level = "error" }',
      MetricTransformations: [{ MetricName: 'DispatcherLoggedErrors', MetricNamespace: 'Pufa/PufaTest', MetricValue: '1' }],
    });
    expect(alarmOn('DispatcherLoggedErrors')).toMatchObject({ Namespace: 'Pufa/PufaTest', Statistic: 'Sum', Threshold: 1 });
  });

  it("alarm by name on a county's SMS budget reached and on a notice paused for its failures, matching the lines the dispatcher writes", () => {
    for (const [metricName, message] of [
      ['SmsBudgetReached', ALARM_LINES.smsBudgetReached],
      ['NoticesAutoPaused', ALARM_LINES.noticeAutoPaused],
    ] as const) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp('^DispatchFunctionLogs') },
        FilterPattern: `{ $.message = "${message}" }`,
        MetricTransformations: [{ MetricName: metricName, MetricNamespace: 'Pufa/PufaTest', MetricValue: '1' }],
      });
      expect(alarmOn(metricName)).toMatchObject({ Namespace: 'Pufa/PufaTest', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarmOn(metricName)?.AlarmActions).toHaveLength(1);
    }
  });

  it("say that the logged-errors alarm is also the county's SMS budget reached", () => {
    expect(alarmOn('DispatcherLoggedErrors')?.AlarmDescription).toContain('"sms budget reached"');
  });

  it('match the log lines the dispatcher really writes', () => {
    // The filter reads the logger's JSON level field: if it were renamed (or upper-cased, as
    // Powertools Logger writes it), the alarm would go quiet without an error anywhere. The line
    // keeps its level with a request's bound ids.
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line) }).child({ awsRequestId: 'r-1' });
    logger.error('sms budget reached', { county: 'tianquan' });
    logger.error('SNS opt-out list sync failed');
    const [budget, error] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(budget).toMatchObject({ level: 'error', message: 'sms budget reached', awsRequestId: 'r-1' });
    expect(error).toMatchObject({ level: 'error' });
  });
});

describe('SMS from a deployment that can send', () => {
  const synth = (id: string, props: Partial<PufaStackProps>) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return Template.fromStack(new PufaStack(app, id, { county: 'tianquan', timeZone: 'Asia/Shanghai', ...props }));
  };
  const inHongKong = { env: { account: '123456789012', region: 'ap-east-1' } };
  let sending: Template;
  beforeAll(() => {
    sending = synth('PufaSms', {
      ...inHongKong,
      sms: { region: 'ap-southeast-1', monthlySpendLimitUsd: 50, senderId: 'PUFA', originationNumber: '+6580000000' },
    });
  });
  const resourceIdOf = (stack: Template, type: string, pattern: RegExp) => {
    const ids = Object.keys(stack.findResources(type)).filter((id) => pattern.test(id));
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  };

  it('sets the account SMS settings in the SMS region: spend limit, type, sender id, and every delivery logged through its role', () => {
    const roleId = resourceIdOf(sending, 'AWS::IAM::Role', /^SmsAccountDeliveryStatusRole/);
    const [settings] = Object.values(sending.findResources('Custom::SmsAccountSettings')) as Resource[];
    expect(settings).toBeDefined();
    const call = (json: unknown) => {
      // The call is a JSON string joined around the role's ARN: put a marker in its place.
      const parts = (json as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const roleArn = JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] });
      return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part) === roleArn ? '<role ARN>' : '<other>')).join('')) as Record<string, unknown>;
    };
    for (const phase of ['Create', 'Update']) {
      expect(call(settings?.Properties[phase])).toEqual({
        service: 'SNS',
        action: 'SetSMSAttributes',
        region: 'ap-southeast-1',
        parameters: {
          attributes: {
            MonthlySpendLimit: '50',
            DefaultSMSType: 'Transactional',
            DeliveryStatusIAMRole: '<role ARN>',
            DeliveryStatusSuccessSamplingRate: '100',
            DefaultSenderID: 'PUFA',
          },
        },
        physicalResourceId: { id: 'sms-account-settings-ap-southeast-1' },
      });
    }
  });

  it('lets SNS, and only SNS, assume the delivery-status role, to write its two SMS log groups in the SMS region', () => {
    const roleId = resourceIdOf(sending, 'AWS::IAM::Role', /^SmsAccountDeliveryStatusRole/);
    expect(sending.findResources('AWS::IAM::Role')[roleId]?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' } }],
    });
    const policies = (Object.values(sending.findResources('AWS::IAM::Policy')) as Resource[]).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    const resolved = JSON.stringify((policies[0]?.Properties.PolicyDocument as { Statement: unknown[] }).Statement);
    expect(JSON.parse(resolved)).toEqual([
      {
        Sid: 'WriteSmsDeliveryStatus',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:ap-southeast-1:123456789012:log-group:sns/ap-southeast-1/123456789012/DirectPublishToPhoneNumber*']],
        },
      },
    ]);
  });

  it('lets the settings function set SMS attributes and pass the delivery-status role to SNS, nothing more', () => {
    const roleId = resourceIdOf(sending, 'AWS::IAM::Role', /^SmsAccountSettingsFunctionRole/);
    const deliveryRoleId = resourceIdOf(sending, 'AWS::IAM::Role', /^SmsAccountDeliveryStatusRole/);
    const [policy] = (Object.values(sending.findResources('AWS::IAM::Policy')) as Resource[]).filter((candidate) =>
      JSON.stringify(candidate.Properties.Roles).includes(roleId),
    );
    const statements = (policy?.Properties.PolicyDocument as { Statement: { Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown }[] }).Statement;
    expect(statements.map((statement) => statement.Action)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], 'sns:SetSMSAttributes', 'iam:PassRole']);
    expect(statements.find((statement) => statement.Sid === 'PassDeliveryStatusRoleToSns')).toMatchObject({
      Resource: { 'Fn::GetAtt': [deliveryRoleId, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sns.amazonaws.com' } },
    });
  });

  it('gives the functions the SMS region, origination number and sender id from context', () => {
    const variables = pufaFunctions(sending).map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
    expect(variables).toHaveLength(2);
    for (const environment of variables) {
      expect(environment).toMatchObject({ PUFA_SMS_REGION: 'ap-southeast-1', PUFA_SMS_ORIGINATION_NUMBER: '+6580000000', PUFA_SMS_SENDER_ID: 'PUFA' });
    }
  });

  it('refuses to synthesize SMS from AWS China, naming the context value to set', () => {
    expect(() => synth('PufaChinaSms', { ...inHongKong, sms: { region: 'cn-north-1' } })).toThrowError(
      /SNS does not send SMS from cn-north-1 \(AWS China\)\. Set the context value smsRegion \(cdk deploy -c smsRegion=ap-southeast-1\) to a region that does/,
    );
    // A stack in Beijing with no SMS region would publish SMS in Beijing.
    expect(() => synth('PufaBeijing', { env: { account: '123456789012', region: 'cn-north-1' } })).toThrowError(/SNS does not send SMS from cn-north-1 \(AWS China\)/);
    // ...and one in Beijing cannot reach SNS anywhere else: AWS China is a partition of its own.
    expect(() => synth('PufaBeijingToSingapore', { env: { account: '123456789012', region: 'cn-north-1' }, sms: { region: 'ap-southeast-1' } })).toThrowError(
      /cn-north-1 cannot publish SMS in ap-southeast-1: AWS China is a separate partition/,
    );
  });
});

describe('receipts', () => {
  const logGroupNameParts = (status: '' | '/Failure') => ({
    'Fn::Join': ['', ['sns/', { Ref: 'AWS::Region' }, '/', { Ref: 'AWS::AccountId' }, `/DirectPublishToPhoneNumber${status}`]],
  });
  const receiptsFunctionId = () => {
    const ids = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => /^ReceiptsFunction[0-9A-F]{8}$/.test(id));
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  };

  it("create SNS's two SMS delivery-status log groups under the names SNS writes to, retained a year", () => {
    for (const status of ['', '/Failure'] as const) {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { LogGroupName: logGroupNameParts(status), RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('subscribe the receipts function to both, every line', () => {
    const filters = resourcesOf('AWS::Logs::SubscriptionFilter');
    expect(filters).toHaveLength(2);
    for (const filter of filters) {
      expect(filter.Properties).toMatchObject({ FilterPattern: '', DestinationArn: { 'Fn::GetAtt': [receiptsFunctionId(), 'Arn'] } });
    }
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [receiptsFunctionId(), 'Arn'] },
      Principal: Match.stringLikeRegexp('^logs\\.'),
    });
  });

  it('run the receipts handler with the table and county, without the phone-key secret', () => {
    const fn = template.findResources('AWS::Lambda::Function')[receiptsFunctionId()] as Resource;
    expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Architectures: ['arm64'], Environment: { Variables: { PUFA_COUNTY: 'tianquan', PUFA_TABLE_NAME: expect.anything() } } });
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.PUFA_PHONE_KEY_SECRET_ARN).toBeUndefined();
  });

  it('grant the receipts function reads, puts, updates, deletes and condition checks on the table: no batch writes, no scan, no SNS, no secret', () => {
    const policies = resourcesOf('AWS::IAM::Policy').filter((policy) => JSON.stringify(policy.Properties.Roles).includes('ReceiptsFunctionRole'));
    expect(policies).toHaveLength(1);
    const actions = (policies[0]?.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.filter((action) => /^(sns|secretsmanager):/.test(action))).toEqual([]);
  });

  it('are not built, with a warning, when SMS goes out from another region than the stack', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new PufaStack(app, 'PufaSmsElsewhere', { county: 'tianquan', timeZone: 'Asia/Shanghai', env: { account: '123456789012', region: 'ap-east-1' }, sms: { region: 'ap-southeast-1' } });
    const elsewhere = Template.fromStack(stack);
    expect(Object.keys(elsewhere.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('ReceiptsFunction'))).toEqual([]);
    expect(Object.keys(elsewhere.findResources('AWS::Logs::SubscriptionFilter'))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/PufaSmsElsewhere/Receipts', Match.stringLikeRegexp('SMS is published in ap-southeast-1, not in this stack.s region \\(ap-east-1\\)'));
  });

  it('are built when the SMS region is the stack region', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const here = Template.fromStack(new PufaStack(app, 'PufaSmsHere', { county: 'tianquan', timeZone: 'Asia/Shanghai', env: { account: '123456789012', region: 'ap-southeast-1' }, sms: { region: 'ap-southeast-1' } }));
    here.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'sns/ap-southeast-1/123456789012/DirectPublishToPhoneNumber/Failure' });
    expect(Object.keys(here.findResources('AWS::Logs::SubscriptionFilter'))).toHaveLength(2);
  });
});

describe('alarms reach somebody', () => {
  const build = (id: string, props: Partial<PufaStackProps> = {}) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return new PufaStack(app, id, { county: 'tianquan', timeZone: 'Asia/Shanghai', ...props });
  };

  it('subscribe the alarm e-mail to the alarm topic, and say nothing about it', () => {
    const stack = build('PufaWithEmail', { alarmEmail: 'ops@example.gov.cn' });
    const withEmail = Template.fromStack(stack);
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.gov.cn', TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') } });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('NO ALARM E-MAIL'));
  });

  it('warn loudly at synth, naming the context value, when no alarm e-mail is set', () => {
    const stack = build('PufaNoEmail');
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::SNS::Subscription'))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/PufaNoEmail', Match.stringLikeRegexp('^NO ALARM E-MAIL: .*reach NOBODY.*-c alarmEmail='));
  });
});

describe('the SMS spend alarm', () => {
  const build = (id: string, props: Partial<PufaStackProps> = {}) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new PufaStack(app, id, { county: 'tianquan', timeZone: 'Asia/Shanghai', ...props });
    return { stack, template: Template.fromStack(stack) };
  };
  const spendAlarms = (stack: Template) =>
    Object.values(stack.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => (alarm as Resource).Properties)
      .filter((alarm) => alarm.MetricName === 'SMSMonthToDateSpentUSD');

  it("fires at 80 % of the account's monthly SMS spend limit, on SNS's own month-to-date spend, and says what to do", () => {
    const { template: stack } = build('PufaSpend', { env: { account: '123456789012', region: 'ap-southeast-1' }, sms: { monthlySpendLimitUsd: 50 } });
    const [alarm, ...others] = spendAlarms(stack);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SNS',
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 40,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmTopic/) }],
    });
    expect(alarm?.Dimensions).toBeUndefined();
    expect(alarm?.AlarmDescription).toMatch(/limit of 50 USD.*smsMonthlySpendLimitUsd.*"sms budget reached"/);
  });

  it('fires at the share the context sets, also when SMS goes out in the stack region by default', () => {
    const { template: stack } = build('PufaSpendShare', { sms: { monthlySpendLimitUsd: 15 }, alarms: { smsSpendShare: 0.5 } });
    expect(spendAlarms(stack).map((alarm) => alarm.Threshold)).toEqual([7.5]);
  });

  it('is not built, with a warning naming the context value, when no spend limit is set', () => {
    const { stack, template: stack_ } = build('PufaSpendNoLimit');
    expect(spendAlarms(stack_)).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/PufaSpendNoLimit', Match.stringLikeRegexp('^No SMS spend alarm: smsMonthlySpendLimitUsd is not set.*-c smsMonthlySpendLimitUsd='));
  });

  it("is not built, with a warning, when SMS goes out in another region: an alarm cannot watch another region's metric", () => {
    const { stack, template: stack_ } = build('PufaSpendElsewhere', { env: { account: '123456789012', region: 'ap-east-1' }, sms: { region: 'ap-southeast-1', monthlySpendLimitUsd: 50 } });
    expect(spendAlarms(stack_)).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/PufaSpendElsewhere', Match.stringLikeRegexp('^No SMS spend alarm: SNS reports SMS spend \\(SMSMonthToDateSpentUSD\\) in ap-southeast-1'));
  });

  it('refuses a share that is not above 0 and at most 1', () => {
    expect(() => build('PufaSpendBadShare', { sms: { monthlySpendLimitUsd: 50 }, alarms: { smsSpendShare: 1.5 } })).toThrow(/smsSpendAlarmShare/);
  });
});

describe('the delivery-rate alarm', () => {
  type MathAlarm = Alarm & { Metrics: { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown }; Period: number; Stat: string } }[] };
  type Alarm = Record<string, unknown>;
  const rateAlarms = (stack: Template) =>
    Object.values(stack.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => (alarm as Resource).Properties as MathAlarm)
      .filter((alarm) => JSON.stringify(alarm.Metrics ?? []).includes(RECEIPT_METRICS.delivered));

  it("divides the hour's delivered receipts by all its receipts, from the receipts function's embedded metrics, and fires below 90 % with at least 20", () => {
    const [alarm, ...others] = rateAlarms(template);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      Threshold: 0.9,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmTopic/) }],
    });
    const expression = alarm?.Metrics.find((metric) => metric.Expression);
    expect(expression).toMatchObject({
      ReturnData: true,
      Expression: 'IF(FILL(delivered, 0) + FILL(undelivered, 0) >= 20, FILL(delivered, 0) / (FILL(delivered, 0) + FILL(undelivered, 0)), 1)',
    });
    const inputs = Object.fromEntries((alarm?.Metrics ?? []).filter((metric) => metric.MetricStat).map((metric) => [metric.Id, metric.MetricStat]));
    for (const [id, metricName] of [['delivered', 'SmsDelivered'], ['undelivered', 'SmsUndelivered']] as const) {
      expect(inputs[id]).toEqual({
        Metric: { Namespace: 'Pufa/PufaTest', MetricName: metricName, Dimensions: [{ Name: 'service', Value: 'receipts' }] },
        Period: 3600,
        Stat: 'Sum',
      });
    }
    // The handler emits exactly those names from each batch's summary.
    expect(receiptCounts({ delivered: 7, undelivered: 2, unmatched: 1 })).toEqual([
      ['SmsDelivered', 7],
      ['SmsUndelivered', 2],
      ['ReceiptsUnmatched', 1],
    ]);
    expect((alarm?.AlarmDescription as string | undefined) ?? '').toContain('undelivered');
  });

  it('takes its threshold and minimum from context', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = Template.fromStack(new PufaStack(app, 'PufaRate', { county: 'tianquan', timeZone: 'Asia/Shanghai', alarms: { deliveryRateThreshold: 0.75, deliveryRateMinimumSms: 50 } }));
    const [alarm] = rateAlarms(stack);
    expect(alarm?.Threshold).toBe(0.75);
    expect(alarm?.Metrics.find((metric) => metric.Expression)?.Expression).toMatch(/^IF\(FILL\(delivered, 0\) \+ FILL\(undelivered, 0\) >= 50, /);
  });

  it('is not built without receipts (SMS in another region), and refuses a threshold that is not a share', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const elsewhere = Template.fromStack(new PufaStack(app, 'PufaRateElsewhere', { county: 'tianquan', timeZone: 'Asia/Shanghai', env: { account: '123456789012', region: 'ap-east-1' }, sms: { region: 'ap-southeast-1' } }));
    expect(rateAlarms(elsewhere)).toEqual([]);
    const other = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new PufaStack(other, 'PufaRateBad', { county: 'tianquan', timeZone: 'Asia/Shanghai', alarms: { deliveryRateThreshold: 90 } })).toThrow(/deliveryRateAlarmThreshold/);
  });
});

describe("notices' audio (infra/speech.ts)", () => {
  const synth = (id: string, props: Partial<PufaStackProps> = {}) =>
    Template.fromStack(new PufaStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), id, { county: 'tianquan', timeZone: 'Asia/Shanghai', ...props }));
  type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const statementsOfRole = (stack: Template, roleId: string) =>
    (Object.values(stack.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const bucketId = () => Object.keys(template.findResources('AWS::S3::Bucket'))[0] ?? '';
  const variablesOf = (stack: Template, idPrefix: string) => {
    const [fn] = Object.entries(stack.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(idPrefix));
    return ((fn?.[1] as Resource | undefined)?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  };

  it('keeps them in one private, encrypted, retained bucket without versions', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    });
    const [bucket] = resourcesOf('AWS::S3::Bucket');
    expect(bucket?.Properties.VersioningConfiguration).toBeUndefined();
  });

  it('refuses every request to the bucket that is not over TLS, and allows nothing else by bucket policy', () => {
    const [policy] = resourcesOf('AWS::S3::BucketPolicy');
    expect(policy?.Properties.Bucket).toEqual({ Ref: bucketId() });
    expect((policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/*']] }],
      },
    ]);
  });

  it('lets the API synthesize with Polly and keep audio under audio/, and the dispatcher only read it to sign links (and read article images)', () => {
    const audioObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/audio/*']] };
    const api = statementsOfRole(template, 'ApiFunctionRole');
    expect(api.filter((statement) => /^(SynthesizeNoticeSpeech|KeepNoticeAudio|FindNoticeAudio)$/.test(statement.Sid ?? ''))).toEqual([
      { Sid: 'SynthesizeNoticeSpeech', Effect: 'Allow', Action: 'polly:SynthesizeSpeech', Resource: '*' },
      { Sid: 'KeepNoticeAudio', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: audioObjects },
      { Sid: 'FindNoticeAudio', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucketId(), 'Arn'] } },
    ]);
    const dispatch = statementsOfRole(template, 'DispatchFunctionRole');
    expect(dispatch.filter((statement) => JSON.stringify(statement).includes(bucketId()))).toEqual([
      { Sid: 'LinkNoticeAudio', Effect: 'Allow', Action: 's3:GetObject', Resource: audioObjects },
      // WeChat articles' images, under their own prefix (test/infra/wechat.test.ts).
      { Sid: 'ReadArticleImages', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/images/*']] } },
    ]);
    // Polly for the API only; no S3 or Polly for the receipts.
    expect(JSON.stringify(dispatch)).not.toContain('polly:');
    expect(JSON.stringify(statementsOfRole(template, 'ReceiptsFunctionRole'))).not.toMatch(/polly:|s3:/);
  });

  it('tells the API and the dispatcher the bucket and the TTS region; in an unknown region, Ningxia in AWS China and the own region elsewhere', () => {
    for (const prefix of ['ApiFunction', 'DispatchFunction']) {
      expect(variablesOf(template, prefix)).toMatchObject({
        PUFA_AUDIO_BUCKET: { Ref: bucketId() },
        PUFA_TTS_REGION: { 'Fn::If': [expect.stringMatching(/^SpeechInChina/), 'cn-northwest-1', { Ref: 'AWS::Region' }] },
      });
    }
    template.hasCondition('*', { 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws-cn'] });
  });

  it('calls Polly in Ningxia for a stack in Beijing, in the stack region where Polly is, and in the region set', () => {
    // The whole stack cannot sit in AWS China today (SNS sends no SMS there, and credentials do
    // not cross partitions: infra/sms-account.ts), so the construct is tried on its own there.
    const beijing = new Speech(new Stack(new App(), 'PufaTtsBeijing', { env: { account: '123456789012', region: 'cn-north-1' } }), 'Speech', {});
    expect(beijing.ttsRegion).toBe('cn-northwest-1');
    expect(beijing.environment.PUFA_TTS_REGION).toBe('cn-northwest-1');
    expect(variablesOf(synth('PufaTtsTokyo', { env: { account: '123456789012', region: 'ap-northeast-1' } }), 'ApiFunction')).toMatchObject({ PUFA_TTS_REGION: 'ap-northeast-1' });
    expect(variablesOf(synth('PufaTtsSet', { env: { account: '123456789012', region: 'ap-southeast-1' }, speech: { ttsRegion: 'ap-northeast-1' } }), 'ApiFunction')).toMatchObject({
      PUFA_TTS_REGION: 'ap-northeast-1',
    });
  });

  it('refuses at synth a TTS region without Polly, or in another partition, naming ttsRegion', () => {
    expect(() => synth('PufaTtsBeijingSet', { speech: { ttsRegion: 'cn-north-1' } })).toThrow(/"ttsRegion": Amazon Polly is not offered in cn-north-1.*only in cn-northwest-1/);
    expect(() => synth('PufaTtsCrossing', { env: { account: '123456789012', region: 'ap-east-1' }, speech: { ttsRegion: 'cn-northwest-1' } })).toThrow(
      /"ttsRegion": .*different AWS partitions/,
    );
    expect(() => synth('PufaTtsNowhere', { env: { account: '123456789012', region: 'eu-south-2' }, sms: { region: 'eu-west-1' } })).toThrow(/not offered in the stack's region eu-south-2.*ttsRegion/);
  });
});
