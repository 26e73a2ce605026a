/**
 * @module infra/receipts
 * Carrier receipts: SNS writes each SMS's delivery status to two log groups it names itself,
 * `sns/<region>/<account>/DirectPublishToPhoneNumber` and `…/Failure` (delivery-status logging is
 * turned on by infra/sms-account.ts). The stack creates those groups (with the retention of the
 * others), subscribes the receipts function to both, grants it what its code sends to the table,
 * and alarms on its errors. Subscription filters reach only functions in their own region, so all
 * this exists only when SMS is published in the stack's region; otherwise synth warns and builds none.
 */
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as HandlerFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deliveryLogGroupName } from '../functions/domain/receipt.js';
import { LOG_RETENTION, nodeFunction } from './node-function.js';

/**
 * What the receipts code sends to the table (functions/store/receipts.ts through the deliveries
 * part of the store): reads, the lookup and its Query fallback, and one transaction per receipt.
 * test/infra/grants.test.ts checks this against the commands its handler reaches.
 */
const RECEIPTS_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'] as const;

export interface ReceiptsProps {
  table: TableV2;
  /** The functions' environment (the receipts function takes what it uses of it). */
  environment: Record<string, string>;
  /** The SMS region when set apart from the stack's (context smsRegion). */
  smsRegion: string | undefined;
  alarmTopic: Topic;
}

export class Receipts extends Construct {
  /** The receipts function; undefined when SMS is published in another region than the stack's. */
  readonly fn: HandlerFunction | undefined;
  readonly logGroups: LogGroup[] = [];

  constructor(scope: Construct, id: string, props: ReceiptsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Unset: SMS goes out in the stack's own region. Set: only the same concrete region will do.
    const sameRegion = props.smsRegion === undefined || props.smsRegion === stack.region;
    if (!sameRegion) {
      Annotations.of(this).addWarningV2(
        'pufa:receipts-need-sms-region',
        `SMS is published in ${props.smsRegion}, not in this stack's region (${stack.resolve(stack.region)}): SNS writes its delivery-status logs there, and a subscription filter reaches only functions in its own region, so no receipts function or log subscriptions are created. Deploy the stack in ${props.smsRegion} to have receipts (sent SMS then become delivered or undelivered).`,
      );
      this.fn = undefined;
      return;
    }

    // It keys no numbers and serves no browser: no phone-key secret, no CORS origins.
    const { PUFA_PHONE_KEY_SECRET_ARN: _secret, PUFA_CORS_ORIGINS: _origins, ...environment } = props.environment;
    // Batches that still fail after Lambda's two retries are kept here rather than lost.
    const deadLetters = new Queue(this, 'DeadLetterQueue', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    const receipts = nodeFunction(stack, 'ReceiptsFunction', 'receipts', {
      environment,
      memorySize: 256,
      timeout: Duration.seconds(60),
      deadLetterQueue: deadLetters,
    });
    this.fn = receipts.fn;
    props.table.grant(receipts.fn, ...RECEIPTS_TABLE_ACTIONS);

    for (const status of ['SUCCESS', 'FAILURE'] as const) {
      const name = status === 'SUCCESS' ? 'Delivered' : 'Failed';
      // Named as SNS names them, so SNS writes into these (retained, a year) instead of making its own.
      const logGroup = new LogGroup(this, `${name}SmsLogs`, {
        logGroupName: deliveryLogGroupName(stack.region, stack.account, status),
        retention: LOG_RETENTION,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      new SubscriptionFilter(this, `${name}SmsSubscription`, { logGroup, destination: new LambdaDestination(receipts.fn), filterPattern: FilterPattern.allEvents() });
      this.logGroups.push(logGroup);
    }

    const notify = new SnsAction(props.alarmTopic);
    const fiveMinutes = { period: Duration.minutes(5) };
    for (const [alarmId, description, metric] of [
      ['ErrorsAlarm', 'The receipts function failed at least once in 5 minutes (Lambda retries it; a receipt is applied once however often it is retried)', receipts.fn.metricErrors(fiveMinutes)],
      ['DeadLetterQueueAlarm', 'A batch of SMS receipts was given up after its retries and is waiting in the receipts dead-letter queue', deadLetters.metricApproximateNumberOfMessagesVisible(fiveMinutes)],
    ] as const) {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
    }
  }
}
