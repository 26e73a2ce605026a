/**
 * @module infra/alarms
 * The alarm topic and the alarms on the dispatcher, the dead-letter queue, the API and SMS spend,
 * made in the stack's scope (their logical ids read "DispatchErrorsAlarm…" as before). Every alarm
 * notifies the topic, which reaches a person only through the e-mail subscription (context
 * alarmEmail): without one, synth says so loudly. The receipts' alarms are in infra/receipts.ts.
 * README "Alarms" says what each means and what to do.
 */
import { Annotations, Duration, type Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { Function as HandlerFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { ALARM_LINES } from '../functions/domain/alarm-lines.js';
import { DISPATCH_METRICS, METRICS_SERVICE } from '../functions/handlers/metrics.js';
import type { SmsSettings } from './sms-account.js';
import { smsSpendAlarm } from './sms-spend.js';

/** The topic every alarm notifies, with the alarm e-mail subscribed; a synth warning without one. */
export function alarmTopic(stack: Stack, alarmEmail: string | undefined): Topic {
  const topic = new Topic(stack, 'AlarmTopic', { displayName: 'pufa alarms', enforceSSL: true });
  if (alarmEmail) {
    topic.addSubscription(new EmailSubscription(alarmEmail));
  } else {
    Annotations.of(stack).addWarningV2(
      'pufa:no-alarm-email',
      'NO ALARM E-MAIL: the alarms (dispatcher stopped, failed deliveries, SMS spend, delivery rate, API errors) go to the alarm topic and reach NOBODY. Deploy with -c alarmEmail=ops@example.gov.cn and confirm the subscription from the e-mail AWS sends, or subscribe someone to the AlarmTopicArn output yourself.',
    );
  }
  return topic;
}

export interface AlarmsProps {
  topic: Topic;
  /** The namespace of the stack's own metrics (functions/handlers/metrics.ts). */
  metricsNamespace: string;
  dispatch: { fn: HandlerFunction; logGroup: LogGroup; schedule: Rule; deadLetterQueue: Queue };
  httpApi: HttpApi;
  sms: SmsSettings | undefined;
  /** The share of the monthly SMS spend limit at which the spend alarm fires. */
  smsSpendShare: number;
}

export function addAlarms(stack: Stack, props: AlarmsProps): void {
  const notify = new SnsAction(props.topic);
  const alarmWhen = (
    id: string,
    alarmDescription: string,
    metric: IMetric,
    threshold: number,
    options: { below?: boolean; missingData?: TreatMissingData } = {},
  ) => {
    const alarm = new Alarm(stack, id, {
      alarmDescription,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.below ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.missingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(notify);
    return alarm;
  };
  const fiveMinutes = { period: Duration.minutes(5) };
  const { fn: dispatchFunction, logGroup: dispatchLogs, schedule, deadLetterQueue } = props.dispatch;

  // Deliveries that ended failed, from the counts each dispatch invocation emits (handlers/metrics.ts).
  const deliveriesFailed = new Metric({
    namespace: props.metricsNamespace,
    metricName: DISPATCH_METRICS.failed,
    dimensionsMap: { service: METRICS_SERVICE.dispatch },
    statistic: Stats.SUM,
    ...fiveMinutes,
  });
  // Errors the dispatcher logs and carries on from (e.g. the SNS opt-out list sync failing, or a
  // county's monthly SMS budget reached: "sms budget reached"), which the Errors metric never
  // sees because the invocation succeeds.
  const dispatcherLoggedErrors = dispatchLogs.addMetricFilter('LoggedErrorsFilter', {
    filterPattern: FilterPattern.stringValue('$.level', '=', 'error'),
    metricNamespace: props.metricsNamespace,
    metricName: 'DispatcherLoggedErrors',
    metricValue: '1',
  });

  // The two guards' lines by name, so the e-mail says which it was (they count as logged errors too).
  const lineCount = (id: string, metricName: string, message: string) =>
    dispatchLogs
      .addMetricFilter(id, { filterPattern: FilterPattern.stringValue('$.message', '=', message), metricNamespace: props.metricsNamespace, metricName, metricValue: '1' })
      .metric({ ...fiveMinutes, statistic: Stats.SUM });
  alarmWhen(
    'SmsBudgetReachedAlarm',
    "A county's monthly SMS budget is reached: its SMS wait (pending, not failed) until next month or until the county office raises the budget on the dashboard (PUT /sms-budget). Station broadcasts go on",
    lineCount('SmsBudgetReachedFilter', 'SmsBudgetReached', ALARM_LINES.smsBudgetReached),
    1,
  );
  alarmWhen(
    'NoticeAutoPausedAlarm',
    "A notice was paused because too many of its sends failed or came back undelivered: its campaign page shows the reason; fix the template or the list, then resume it there",
    lineCount('NoticeAutoPausedFilter', 'NoticesAutoPaused', ALARM_LINES.noticeAutoPaused),
    1,
  );

  // EventBridge starts the dispatcher every minute: five minutes without one invocation means
  // nothing is being sent (the rule disabled or deleted, the function's concurrency set to 0, an
  // account-wide throttle). No data is what "not run" looks like, so missing data is breaching.
  alarmWhen(
    'DispatcherNotRunningAlarm',
    'The dispatcher has not run for 5 minutes (it runs every minute): nothing due is being sent. Check that the DispatchSchedule rule is enabled, the dispatch function\'s reserved concurrency is not 0, and its throttles',
    dispatchFunction.metricInvocations({ ...fiveMinutes, statistic: Stats.SUM }),
    1,
    { below: true, missingData: TreatMissingData.BREACHING },
  );
  alarmWhen(
    'DispatchScheduleFailedAlarm',
    'EventBridge could not start the dispatcher at least once in 5 minutes (the event went to the dispatch dead-letter queue after its retries)',
    new Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: schedule.ruleName }, statistic: Stats.SUM, ...fiveMinutes }),
    1,
  );
  alarmWhen('DispatchErrorsAlarm', 'The dispatcher failed at least once in 5 minutes', dispatchFunction.metricErrors(fiveMinutes), 1);
  alarmWhen(
    'DeliveriesFailedAlarm',
    'At least one delivery ended failed (after its retries, or for good) in 5 minutes: see its reason in the outbox',
    deliveriesFailed,
    1,
  );
  alarmWhen(
    'DispatcherLoggedErrorsAlarm',
    'The dispatcher logged an error it carried on from in 5 minutes: a county\'s monthly SMS budget reached ("sms budget reached": its SMS wait until next month or a higher budget), or e.g. the opt-out list sync failing. Search the dispatch log for level "error"',
    dispatcherLoggedErrors.metric({ ...fiveMinutes, statistic: Stats.SUM }),
    1,
  );
  alarmWhen(
    'DeadLetterQueueAlarm',
    'A dispatch run was given up and is waiting in the dead-letter queue',
    deadLetterQueue.metricApproximateNumberOfMessagesVisible(fiveMinutes),
    1,
  );
  // The app answers its own failures as 500 problems, so the function rarely "errors": count
  // what callers saw, the API's 5xx answers (crashes and timeouts included).
  alarmWhen('ApiErrorsAlarm', 'The API answered 5xx at least 5 times in 5 minutes', props.httpApi.metricServerError({ ...fiveMinutes, statistic: Stats.SUM }), 5);
  // SMS spend against the account's monthly limit, where CloudWatch can see it (infra/sms-spend.ts).
  smsSpendAlarm(stack, {
    smsRegion: props.sms?.region,
    monthlySpendLimitUsd: props.sms?.monthlySpendLimitUsd,
    share: props.smsSpendShare,
    action: notify,
  });
}
