/**
 * @module infra/stack
 * pufa's one stack, in the order a request flows: HTTP API -> API function -> table; the
 * EventBridge schedule -> dispatch function -> table and station topic; failures -> dead-letter
 * queue -> alarms; with the context `wechat`, the WeChat official account's secret for both
 * functions (infra/wechat.ts), and with `wechatEgress=nat` the two in a VPC behind a NAT gateway
 * with a fixed address (infra/wechat-egress.ts). The table's keys come from functions/store/table.ts, the same definition the
 * local server uses. Data is retained; access is granted, never written as policies. Each
 * cdk-nag finding that does not fit this design is acknowledged next to its resource, with why.
 */
import { CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as HandlerFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { DISPATCH_PERIOD_SECONDS, DISPATCH_RESERVED_CONCURRENCY, DISPATCH_TIMEOUT_SECONDS } from '../functions/handlers/dispatch-schedule.js';
import { METRICS_NAMESPACE_VARIABLE, metricsNamespace } from '../functions/handlers/metrics.js';
import { tableDefinition, type KeyAttribute } from '../functions/store/table.js';
import { addAlarms, alarmTopic } from './alarms.js';
import { LOG_RETENTION, nodeFunction } from './node-function.js';
import { DEFAULT_DELIVERY_RATE_MINIMUM_SMS, DEFAULT_DELIVERY_RATE_THRESHOLD, Receipts } from './receipts.js';
import { SmsAccount, type SmsSettings } from './sms-account.js';
import { Speech, type SpeechSettings } from './speech.js';
import { DEFAULT_SMS_SPEND_ALARM_SHARE } from './sms-spend.js';
import { grantStationSubscriptions } from './station-pushes.js';
import { grantImageRead, grantImageReadWrite } from './article-images.js';
import { keepEvidence } from './evidence.js';
import { WeChat, type WeChatSettings } from './wechat.js';
import { WeChatEgress } from './wechat-egress.js';

export interface PufaStackProps extends StackProps {
  /** The county (tenant) this deployment serves by default, e.g. "tianquan". */
  county: string;
  /** IANA zone the county writes its plans in. */
  timeZone: string;
  /** The address alarm notifications go to; without one synth warns that alarms reach nobody. */
  alarmEmail?: string | undefined;
  /** Where the SMS spend and delivery-rate alarms fire (defaults in infra/sms-spend.ts and infra/receipts.ts). */
  alarms?: AlarmSettings | undefined;
  /** Where and how SMS is sent (infra/sms-account.ts): region, spend limit, type, sender, rate. */
  sms?: SmsSettings | undefined;
  /** Browser origins allowed to call the API from other sites (PUFA_CORS_ORIGINS); none if unset. */
  corsOrigins?: string | undefined;
  /** Where notices' audio is synthesized (infra/speech.ts): the Polly region. */
  speech?: SpeechSettings | undefined;
  /**
   * Reserved concurrency of the dispatch function (default 2, the runs that overlap by design);
   * 'none' leaves it unreserved, for accounts whose Lambda concurrency quota is too small to
   * reserve any (Lambda keeps 100 unreserved: a new account's quota of 10 cannot reserve 2).
   */
  dispatchReservedConcurrency?: number | 'none' | undefined;
  /**
   * The WeChat official-account channel (infra/wechat.ts; context `wechat`): its secret, read by
   * the API and dispatch functions, and how they reach WeChat. Off (undefined) by default.
   */
  wechat?: WeChatSettings | undefined;
}

export interface AlarmSettings {
  /** Alarm when the month's SMS spend reaches this share of smsMonthlySpendLimitUsd (default 0.8). */
  smsSpendShare?: number | undefined;
  /** Alarm when fewer than this share of an hour's SMS receipts say delivered (default 0.9)... */
  deliveryRateThreshold?: number | undefined;
  /** ...in an hour with at least this many receipts (default 20). */
  deliveryRateMinimumSms?: number | undefined;
}

/**
 * What the functions do with the table, and no more: the store sends Get, Put, Update, Delete,
 * Query, BatchGet, BatchWrite and TransactWrite (whose parts need the item actions and
 * ConditionCheckItem). Not granted: Scan (the store never scans), stream reads (the table has no
 * stream), DescribeTable and table management (only the local setup creates tables).
 * test/infra/grants.test.ts checks this list against the commands the handlers reach.
 */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

const attributeType = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/** Acknowledges one AwsSolutions finding on a construct and everything under it, with the reason. */
const acknowledge = (scope: IConstruct, finding: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });

export class PufaStack extends Stack {
  readonly table: TableV2;
  readonly apiFunction: HandlerFunction;
  readonly dispatchFunction: HandlerFunction;
  readonly stationTopic: Topic;
  readonly phoneKeySecret: Secret;
  readonly deadLetterQueue: Queue;
  readonly httpApi: HttpApi;
  readonly alarmTopic: Topic;
  readonly smsAccount: SmsAccount;
  readonly receipts: Receipts;
  readonly dispatchSchedule: Rule;
  readonly speech: Speech;
  /** The WeChat channel's secret and grants, when the context `wechat` is on. */
  readonly wechat: WeChat | undefined;
  /** The VPC and NAT gateway with a fixed address, when the context `wechatEgress` is `nat`. */
  readonly wechatEgress: WeChatEgress | undefined;

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
    acknowledge(
      this,
      `IAM5[Resource::<${this.logicalIdOf(this.table)}.Arn>/index/*]`,
      "The CDK's table grant names this table's own indexes as <table>/index/*: the store queries its GSIs (functions/store/table.ts), and no other resource matches.",
    );

    // --- Phone numbers are keyed with an HMAC under this secret (functions/domain/phone.ts), so a
    // key in a URL or the log cannot be turned back into its number. Retained like the table: every
    // stored key depends on it.
    this.phoneKeySecret = new Secret(this, 'PhoneKeySecret', {
      description: 'pufa: the key phone numbers are keyed with (HMAC-SHA-256); never rotate it in place',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.phoneKeySecret,
      'SMG4',
      'Not rotated automatically: every stored subscriber, delivery and opt-out key is derived from this secret, so a new value must come with npm run migrate-phone-keys re-keying the table, which no rotation Lambda does.',
    );

    // --- Station scripts go out on one topic; subscription filter policies route by station.
    // Signature version 2 (SHA256withRSA): the station receivers accept no other.
    this.stationTopic = new Topic(this, 'StationTopic', { displayName: 'pufa station scripts', enforceSSL: true, signatureVersion: '2' });

    // --- Notices' loudspeaker audio: a private, retained bucket, and Polly in a region that offers
    // it (Ningxia for a stack in AWS China); a region without Polly stops the synth here.
    this.speech = new Speech(this, 'Speech', props.speech ?? {});

    this.deadLetterQueue = new Queue(this, 'DispatchDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    // --- SMS goes out from the SMS region (SNS sends none from AWS China), whose account-level SMS
    // settings the stack sets; a region that cannot send stops the synth here.
    this.smsAccount = new SmsAccount(this, 'SmsAccount', props.sms ?? {});

    // --- WeChat official account (off unless asked): its secret, and optionally a fixed egress
    // address (a VPC with one NAT gateway) for the account's IP allow-list.
    this.wechat = props.wechat ? new WeChat(this, 'WeChat') : undefined;
    this.wechatEgress = props.wechat?.egress === 'nat' ? new WeChatEgress(this, 'WeChatEgress') : undefined;
    const wechatEnvironment = this.wechat?.environment ?? {};
    const wechatNetwork = this.wechatEgress?.functionNetwork ?? {};

    const environment = {
      PUFA_TABLE_NAME: this.table.tableName,
      PUFA_COUNTY: props.county,
      PUFA_TIME_ZONE: props.timeZone,
      PUFA_STATION_TOPIC_ARN: this.stationTopic.topicArn,
      PUFA_PHONE_KEY_SECRET_ARN: this.phoneKeySecret.secretArn,
      ...this.smsAccount.environment,
      ...(props.corsOrigins ? { PUFA_CORS_ORIGINS: props.corsOrigins } : {}),
    };

    // --- API: one function, one Hono router, behind an HTTP API with throttling and access logs.
    const api = nodeFunction(this, 'ApiFunction', 'api', {
      environment: { ...environment, ...this.speech.environment, ...wechatEnvironment },
      memorySize: 1024,
      timeout: Duration.seconds(29),
      ...wechatNetwork,
    });
    this.apiFunction = api.fn;
    this.table.grant(this.apiFunction, ...TABLE_ACTIONS);
    this.phoneKeySecret.grantRead(this.apiFunction);
    // Registry changes subscribe stations' push endpoints to the topic (infra/station-pushes.ts).
    grantStationSubscriptions(this.stationTopic, api.role);
    // A notice submitted for review is synthesized and kept; reviewers and stations get links.
    this.speech.grantSynthesize(api.role);
    this.speech.grantAudioReadWrite(api.role);
    // Article images are kept beside the audio under images/ (infra/article-images.ts).
    grantImageReadWrite(this.speech.bucket, api.role);
    // WeChat's callback (/wechat/callback) is checked with the Token, drafts are made with the AppSecret.
    this.wechat?.grantSecretRead(api.role);
    this.wechatEgress?.grantNetworkInterfaces(api.role);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'pufa API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction),
    });
    acknowledge(
      this.httpApi,
      'APIG4',
      "The HTTP API authorizes in the app with bearer tokens: each route is declared public or secured with its roles (functions/http/route.ts), and a secured API route needs an Authorization: Bearer token, looked up by its hash in the table (functions/http/auth.ts); the web pages under /app take a server-side session instead (HttpOnly SameSite=Strict cookie holding its own secret, checked with its token on every request; unsafe requests must come from the pages' origin). Only health, the API docs and sign-in are public.",
    );
    // Activities' evidence: the pages upload it straight to the audio bucket (infra/evidence.ts),
    // from the API's own origin and any other the deployment allows.
    const otherOrigins = (props.corsOrigins ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
    keepEvidence(this.speech.bucket, api.role, [this.httpApi.apiEndpoint, ...otherOrigins]);
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // One JSON object per request, like the functions' own logs. No path, query string,
        // headers or body: paths can carry phone keys and tokens travel in headers; the API
        // function logs each request's route pattern itself (route here is the gateway's, $default).
        // requestId is the function log's requestId/apiRequestId and integrationRequestId its
        // awsRequestId, so a request is found in both (README: Tracing a complaint). errorType
        // shows the requests the gateway answered on its own, e.g. THROTTLED; integrationError why
        // the function could not answer (a timeout, a crash).
        format: AccessLogFormat.custom(
          JSON.stringify({
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
          }),
        ),
      },
    });

    // --- Dispatch: every minute; async-invoke failures go to the dead-letter queue.
    // The timeout is longer than the period, so each run's budget (timeout less 5 s) reaches past
    // the next tick: consecutive runs overlap and a long push uses the whole SMS cap, not the 50 s
    // in 60 a 55 s timeout allowed. The rate limiter in the table is shared by the runs, so
    // together they stay under the cap; under two periods, at most two scheduled runs are alive at
    // once, and reserved concurrency keeps it so. See functions/handlers/dispatch-schedule.ts.
    const reserved = props.dispatchReservedConcurrency ?? DISPATCH_RESERVED_CONCURRENCY;
    // 0 would not mean "unreserved" to Lambda but "never run": refuse it rather than deploy a dispatcher that never sends.
    if (reserved !== 'none' && !(Number.isInteger(reserved) && reserved >= 1)) {
      throw new RangeError(`dispatchReservedConcurrency must be a whole number of at least 1, or 'none'; got ${String(reserved)}`);
    }
    // Its run counts go out as embedded metrics (handlers/metrics.ts), namespaced by stack so two
    // deployments in one account do not add up.
    const metricNamespace = metricsNamespace(this.stackName);
    const dispatch = nodeFunction(this, 'DispatchFunction', 'dispatch', {
      environment: { ...environment, ...this.speech.environment, ...wechatEnvironment, [METRICS_NAMESPACE_VARIABLE]: metricNamespace },
      memorySize: 512,
      timeout: Duration.seconds(DISPATCH_TIMEOUT_SECONDS),
      ...(reserved === 'none' ? {} : { reservedConcurrentExecutions: reserved }),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 0,
      ...wechatNetwork,
    });
    this.dispatchFunction = dispatch.fn;
    this.table.grant(this.dispatchFunction, ...TABLE_ACTIONS);
    this.phoneKeySecret.grantRead(this.dispatchFunction);
    this.stationTopic.grantPublish(this.dispatchFunction);
    // The scripts it pushes to stations carry links to their audio, signed with its role.
    this.speech.grantAudioRead(dispatch.role);
    // It publishes to WeChat: the account's secret, and the article images it uploads there.
    grantImageRead(this.speech.bucket, dispatch.role);
    this.wechat?.grantSecretRead(dispatch.role);
    this.wechatEgress?.grantNetworkInterfaces(dispatch.role);
    // SMS goes straight to phone numbers, which have no ARN: SNS only accepts "*" as the resource
    // for that, and for reading the account's opt-out list. No CDK grant exists for either, so this
    // is the one written statement: two named actions, and only the dispatcher gets it.
    this.dispatchFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendSmsToPhoneNumbers',
        actions: ['sns:Publish', 'sns:ListPhoneNumbersOptedOut'],
        resources: ['*'],
      }),
    );
    acknowledge(
      dispatch.role,
      'IAM5[Resource::*]',
      'SNS accepts only "*" as the resource for Publish to a phone number (SMS has no ARN) and for ListPhoneNumbersOptedOut; the statement names only those two actions and only the dispatcher has it.',
    );

    this.dispatchSchedule = new Rule(this, 'DispatchSchedule', {
      description: 'Run the pufa dispatcher every minute',
      schedule: Schedule.rate(Duration.seconds(DISPATCH_PERIOD_SECONDS)),
      targets: [
        new LambdaFunction(this.dispatchFunction, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });

    // --- Alarms (infra/alarms.ts): a dispatcher that stopped running or could not be started,
    // dispatch errors, failed deliveries, errors the dispatcher survived (a county's SMS budget
    // reached among them), the dead-letter queue, API errors, SMS spend against the account's
    // limit; the receipts add theirs below. They reach a person only through the e-mail
    // subscription: without one, synth says so loudly.
    this.alarmTopic = alarmTopic(this, props.alarmEmail);
    addAlarms(this, {
      topic: this.alarmTopic,
      metricsNamespace: metricNamespace,
      dispatch: { fn: this.dispatchFunction, logGroup: dispatch.logGroup, schedule: this.dispatchSchedule, deadLetterQueue: this.deadLetterQueue },
      httpApi: this.httpApi,
      sms: props.sms,
      smsSpendShare: props.alarms?.smsSpendShare ?? DEFAULT_SMS_SPEND_ALARM_SHARE,
    });

    // --- Receipts: SNS's SMS delivery-status logs -> receipts function -> table (infra/receipts.ts).
    this.receipts = new Receipts(this, 'Receipts', {
      table: this.table,
      environment,
      smsRegion: props.sms?.region,
      alarmTopic: this.alarmTopic,
      metricsNamespace: metricNamespace,
      deliveryRate: {
        threshold: props.alarms?.deliveryRateThreshold ?? DEFAULT_DELIVERY_RATE_THRESHOLD,
        minimumSms: props.alarms?.deliveryRateMinimumSms ?? DEFAULT_DELIVERY_RATE_MINIMUM_SMS,
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'StationTopicArn', { value: this.stationTopic.topicArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'AudioBucketName', { value: this.speech.bucket.bucketName });
    if (this.wechat) {
      new CfnOutput(this, 'WeChatSecretName', {
        description: 'Put the AppID and AppSecret in this secret; its callbackToken is the Token for 服务器配置',
        value: this.wechat.secret.secretName,
      });
      new CfnOutput(this, 'WeChatCallbackUrl', {
        description: 'The server URL (服务器地址) for 公众号 → 设置与开发 → 基本配置 → 服务器配置',
        value: `${this.httpApi.apiEndpoint}/wechat/callback`,
      });
    }
    if (this.wechatEgress) {
      new CfnOutput(this, 'WeChatEgressIp', {
        description: 'Add this to 公众号 → 设置与开发 → 基本配置 → IP白名单',
        value: this.wechatEgress.address.attrPublicIp,
      });
    }
  }

  /** The logical id cdk-nag prints in a finding, e.g. "TableCD117FA1" in "<TableCD117FA1.Arn>". */
  private logicalIdOf(construct: IConstruct): string {
    const resource = construct.node.defaultChild;
    if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
    return this.getLogicalId(resource);
  }
}
