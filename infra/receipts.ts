/**
 * @module infra/receipts
 * Carrier receipts: SNS writes each SMS's delivery status to two log groups it names itself,
 * `sns/<region>/<account>/DirectPublishToPhoneNumber` and `…/Failure` (delivery-status logging is
 * turned on by infra/sms-account.ts). The stack creates those groups (with the retention of the
 * others), subscribes the receipts function to both, grants it what its code sends to the table,
 * and alarms on its errors and on the delivery rate it reports (delivered over delivered and
 * undelivered, from its embedded metrics). Subscription filters reach only functions in their own
 * region, so all this exists only when SMS is published in the stack's region; otherwise synth
 * warns and builds none.
 */
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as HandlerFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deliveryLogGroupName } from '../functions/domain/receipt.js';
import { METRICS_NAMESPACE_VARIABLE, METRICS_SERVICE, RECEIPT_METRICS } from '../functions/handlers/metrics.js';
import { LOG_RETENTION, nodeFunction } from './node-function.js';
import { publishesSmsInStackRegion } from './sms-account.js';

/**
 * What the receipts code sends to the table (functions/store/receipts.ts through the deliveries
 * part of the store): reads, the lookup and its Query fallback, and one transaction per receipt.
 * test/infra/grants.test.ts checks this against the commands its handler reaches.
 */
const RECEIPTS_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'] as const;

/** Alarm when fewer than this share of SMS with a receipt in an hour were delivered (context deliveryRateAlarmThreshold). */
export const DEFAULT_DELIVERY_RATE_THRESHOLD = 0.9;
/** ...and only when the hour had at least this many receipts (context deliveryRateAlarmMinimumSms): 1 failure in 2 is no pattern. */
export const DEFAULT_DELIVERY_RATE_MINIMUM_SMS = 20;
/**
 * The delivery rate is taken over an hour: carriers answer within minutes, and a county's notice
 * goes to its audience over minutes to an hour at the send cap, so an hour holds enough receipts
 * to mean something without waiting a day to say a template is being blocked.
 */
export const DELIVERY_RATE_PERIOD = Duration.hours(1);

export interface DeliveryRateAlarmSettings {
  /** Alarm below this rate, above 0 and below 1. */
  threshold: number;
  /** The fewest receipts (delivered + undelivered) in the period for the rate to count, at least 1. */
  minimumSms: number;
}

export interface ReceiptsProps {
  table: TableV2;
  /** The functions' environment (the receipts function takes what it uses of it). */
  environment: Record<string, string>;
  /** The SMS region when set apart from the stack's (context smsRegion). */
  smsRegion: string | undefined;
  alarmTopic: Topic;
  /** The namespace of the stack's own metrics (handlers/metrics.ts). */
  metricsNamespace: string;
  deliveryRate: DeliveryRateAlarmSettings;
}

export class Receipts extends Construct {
  /** The receipts function; undefined when SMS is published in another region than the stack's. */
  readonly fn: HandlerFunction | undefined;
  readonly logGroups: LogGroup[] = [];
  /** The alarm on the share of SMS delivered; undefined with the function. */
  readonly deliveryRateAlarm: Alarm | undefined;

  constructor(scope: Construct, id: string, props: ReceiptsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { threshold, minimumSms } = props.deliveryRate;
    if (!(threshold > 0 && threshold < 1)) throw new RangeError(`deliveryRateAlarmThreshold must be above 0 and below 1; got ${threshold}`);
    if (!(Number.isInteger(minimumSms) && minimumSms >= 1)) throw new RangeError(`deliveryRateAlarmMinimumSms must be a whole number of at least 1; got ${minimumSms}`);
    // Unset: SMS goes out in the stack's own region. Set: only the same concrete region will do.
    if (!publishesSmsInStackRegion(stack, props.smsRegion)) {
      Annotations.of(this).addWarningV2(
        'pufa:receipts-need-sms-region',
        `SMS is published in ${props.smsRegion}, not in this stack's region (${stack.resolve(stack.region)}): SNS writes its delivery-status logs there, and a subscription filter reaches only functions in its own region, so no receipts function, log subscriptions or delivery-rate alarm are created. Deploy the stack in ${props.smsRegion} to have receipts (sent SMS then become delivered or undelivered).`,
      );
      this.fn = undefined;
      this.deliveryRateAlarm = undefined;
      return;
    }

    // It keys no numbers and serves no browser: no phone-key secret, no CORS origins.
    const { PUFA_PHONE_KEY_SECRET_ARN: _secret, PUFA_CORS_ORIGINS: _origins, ...shared } = props.environment;
    const environment = { ...shared, [METRICS_NAMESPACE_VARIABLE]: props.metricsNamespace };
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

    // Delivered / (delivered + undelivered) over the hour, from the counts the function emits per
    // batch (handlers/metrics.ts; a retried batch counts nothing twice). An hour with fewer
    // receipts than the minimum reads as 1 (no alarm), and so does an hour with none.
    const receiptCount = (metricName: string) =>
      new Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: METRICS_SERVICE.receipts }, statistic: Stats.SUM, period: DELIVERY_RATE_PERIOD });
    const deliveryRate = new MathExpression({
      label: 'SMS delivery rate',
      expression: `IF(FILL(delivered, 0) + FILL(undelivered, 0) >= ${minimumSms}, FILL(delivered, 0) / (FILL(delivered, 0) + FILL(undelivered, 0)), 1)`,
      usingMetrics: { delivered: receiptCount(RECEIPT_METRICS.delivered), undelivered: receiptCount(RECEIPT_METRICS.undelivered) },
      period: DELIVERY_RATE_PERIOD,
    });
    this.deliveryRateAlarm = new Alarm(this, 'DeliveryRateAlarm', {
      alarmDescription: [
        `Fewer than ${Math.round(threshold * 100)} % of the SMS with a carrier receipt in the last hour were delivered (at least ${minimumSms} receipts).`,
        'Look at the undelivered deliveries\' reasons (GET .../deliveries?state=undelivered, or the Failure delivery-status log group):',
        'all refused at once usually means an unregistered or changed template or signature, or the account\'s SMS spend limit reached ("No quota left for account");',
        'scattered refusals, numbers out of service (the numbers to check on the dashboard).',
      ].join(' '),
      metric: deliveryRate,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.deliveryRateAlarm.addAlarmAction(notify);
  }
}
