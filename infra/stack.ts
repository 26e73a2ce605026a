/**
 * @module infra/stack
 * pufa's one stack, in the order a request flows: HTTP API -> API function -> table; the
 * EventBridge schedule -> dispatch function -> table and station topic; failures -> dead-letter
 * queue -> alarms. The table's keys come from functions/store/table.ts, the same definition the
 * local server uses. Data is retained; access is granted, never written as policies.
 */
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type Function as LambdaFunctionConstruct } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tableDefinition, type KeyAttribute } from '../functions/store/table.js';

export interface PufaStackProps extends StackProps {
  /** The county (tenant) this deployment serves by default, e.g. "tianquan". */
  county: string;
  /** IANA zone the county writes its plans in. */
  timeZone: string;
  /** Optional address that receives alarm notifications. */
  alarmEmail?: string | undefined;
  sms?: { type?: 'Transactional' | 'Promotional' | undefined; senderId?: string | undefined; perSecond?: number | undefined } | undefined;
}

const attributeType = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

const handlerEntry = (name: string) => fileURLToPath(new URL(`../functions/handlers/${name}.ts`, import.meta.url));

export class PufaStack extends Stack {
  readonly table: TableV2;
  readonly apiFunction: NodejsFunction;
  readonly dispatchFunction: NodejsFunction;
  readonly stationTopic: Topic;
  readonly deadLetterQueue: Queue;
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: PufaStackProps) {
    super(scope, id, props);

    // --- Data: one table, built from the shared definition, never deleted with the stack.
    this.table = new TableV2(this, 'Table', {
      partitionKey: attributeType(tableDefinition.partitionKey),
      sortKey: attributeType(tableDefinition.sortKey),
      globalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attributeType(index.partitionKey),
        sortKey: attributeType(index.sortKey),
        projectionType: index.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      })),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Station scripts go out on one topic; subscription filter policies route by station.
    this.stationTopic = new Topic(this, 'StationTopic', { displayName: 'pufa station scripts', enforceSSL: true });

    this.deadLetterQueue = new Queue(this, 'DispatchDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const environment = {
      PUFA_TABLE_NAME: this.table.tableName,
      PUFA_COUNTY: props.county,
      PUFA_TIME_ZONE: props.timeZone,
      PUFA_STATION_TOPIC_ARN: this.stationTopic.topicArn,
      ...(props.sms?.type ? { PUFA_SMS_TYPE: props.sms.type } : {}),
      ...(props.sms?.senderId ? { PUFA_SMS_SENDER_ID: props.sms.senderId } : {}),
      ...(props.sms?.perSecond ? { PUFA_SMS_PER_SECOND: String(props.sms.perSecond) } : {}),
      NODE_OPTIONS: '--enable-source-maps',
    };

    // --- API: one function, one Hono router, behind an HTTP API with throttling.
    this.apiFunction = this.nodeFunction('ApiFunction', 'api', {
      environment,
      memorySize: 1024,
      timeout: Duration.seconds(29),
    });
    this.table.grantReadWriteData(this.apiFunction);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'pufa API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction),
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
    });

    // --- Dispatch: every minute; async-invoke failures go to the dead-letter queue.
    this.dispatchFunction = this.nodeFunction('DispatchFunction', 'dispatch', {
      environment,
      memorySize: 512,
      // A run must finish before the next tick starts, so overlapping runs stay the exception.
      timeout: Duration.seconds(55),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 0,
    });
    this.table.grantReadWriteData(this.dispatchFunction);
    this.stationTopic.grantPublish(this.dispatchFunction);
    // SMS goes straight to phone numbers, which have no ARN: SNS only accepts "*" as the resource
    // for that, and for reading the account's opt-out list. Only the dispatcher gets it.
    this.dispatchFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendSmsToPhoneNumbers',
        actions: ['sns:Publish', 'sns:ListPhoneNumbersOptedOut'],
        resources: ['*'],
      }),
    );

    new Rule(this, 'DispatchSchedule', {
      description: 'Run the pufa dispatcher every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(this.dispatchFunction, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });

    // --- Alarms: dispatch errors, anything in the dead-letter queue, API errors.
    const alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'pufa alarms', enforceSSL: true });
    if (props.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(alarmTopic);

    const alarmWhen = (id: string, alarmDescription: string, metric: IMetric, threshold: number) => {
      const alarm = new Alarm(this, id, {
        alarmDescription,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
    };
    const fiveMinutes = { period: Duration.minutes(5) };
    alarmWhen('DispatchErrorsAlarm', 'The dispatcher failed at least once in 5 minutes', this.dispatchFunction.metricErrors(fiveMinutes), 1);
    alarmWhen(
      'DeadLetterQueueAlarm',
      'A dispatch run was given up and is waiting in the dead-letter queue',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(fiveMinutes),
      1,
    );
    alarmWhen('ApiErrorsAlarm', 'The API function failed (5xx) at least 5 times in 5 minutes', this.apiFunction.metricErrors(fiveMinutes), 5);

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'StationTopicArn', { value: this.stationTopic.topicArn });
  }

  private nodeFunction(
    id: string,
    handler: string,
    props: Partial<ConstructorParameters<typeof NodejsFunction>[2]>,
  ): NodejsFunction {
    const fn: NodejsFunction = new NodejsFunction(this, id, {
      entry: handlerEntry(handler),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup: new LogGroup(this, `${id}Logs`, {
        retention: RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node22',
        mainFields: ['module', 'main'],
        // Bundle the pinned AWS SDK instead of using the runtime's copy: the code tested is the code deployed.
        externalModules: [],
        // Some dependencies still call require(); give the ESM bundle one.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      ...props,
    });
    return fn satisfies LambdaFunctionConstruct;
  }
}
