/**
 * @module infra/sms-spend
 * The alarm on what SMS cost this month: SNS's own metric `SMSMonthToDateSpentUSD` (namespace
 * AWS/SNS, no dimensions, the account's spend in one region) against the monthly spend limit the
 * stack sets (context smsMonthlySpendLimitUsd, infra/sms-account.ts). At the limit SNS stops
 * sending SMS for the rest of the month, so the alarm fires before it, at a share of it.
 *
 * A CloudWatch alarm watches metrics of its own region only, and SNS publishes this one in the SMS
 * region; like the receipts (infra/receipts.ts), the alarm exists only when the stack is in the
 * SMS region, and synth says so otherwise. Without a limit in context the stack does not know the
 * account's limit, so it builds no alarm and says that too.
 */
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { publishesSmsInStackRegion } from './sms-account.js';

/** Alarm at this share of the monthly limit unless context smsSpendAlarmShare says otherwise. */
export const DEFAULT_SMS_SPEND_ALARM_SHARE = 0.8;

/** SNS's metric of the account's SMS spend since the start of the month, in USD (statistic: Maximum). */
export const SMS_SPEND_METRIC = { namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD' } as const;

export interface SmsSpendAlarmProps {
  /** The SMS region when set apart from the stack's (context smsRegion). */
  smsRegion: string | undefined;
  /** The monthly spend limit the stack sets (context smsMonthlySpendLimitUsd), whole USD. */
  monthlySpendLimitUsd: number | undefined;
  /** The share of the limit at which to alarm, above 0 and at most 1. */
  share: number;
  action: IAlarmAction;
}

/** The SMS spend alarm, made in `scope`; undefined (with a synth warning naming why) when it cannot be built. */
export function smsSpendAlarm(scope: Construct, props: SmsSpendAlarmProps): Alarm | undefined {
  const stack = Stack.of(scope);
  if (!(props.share > 0 && props.share <= 1)) throw new RangeError(`smsSpendAlarmShare must be above 0 and at most 1; got ${props.share}`);
  if (!publishesSmsInStackRegion(stack, props.smsRegion)) {
    Annotations.of(scope).addWarningV2(
      'pufa:sms-spend-alarm-needs-sms-region',
      `No SMS spend alarm: SNS reports SMS spend (${SMS_SPEND_METRIC.metricName}) in ${props.smsRegion}, and a CloudWatch alarm in this stack's region (${stack.resolve(stack.region)}) cannot watch it. The monthly spend limit still holds there. Deploy the stack in ${props.smsRegion}, or make the alarm by hand in ${props.smsRegion} (README: Alarms).`,
    );
    return undefined;
  }
  if (props.monthlySpendLimitUsd === undefined) {
    Annotations.of(scope).addWarningV2(
      'pufa:sms-spend-alarm-needs-limit',
      'No SMS spend alarm: smsMonthlySpendLimitUsd is not set, so the stack leaves the account\'s monthly SMS spend limit as it is (1 USD for a new account) and does not know it. When the account reaches it, SNS stops sending SMS for the rest of the month and the receipts count them undelivered (the delivery-rate alarm fires). Set it: cdk deploy -c smsMonthlySpendLimitUsd=50.',
    );
    return undefined;
  }
  const limit = props.monthlySpendLimitUsd;
  const threshold = Math.round(limit * props.share * 100) / 100;
  const alarm = new Alarm(scope, 'SmsSpendAlarm', {
    alarmDescription: [
      `SMS spend this month reached ${threshold} USD, ${Math.round(props.share * 100)} % of the account's monthly SMS spend limit of ${limit} USD in this region (smsMonthlySpendLimitUsd).`,
      'At the limit SNS stops sending SMS until the month ends: raise it (after AWS raised the account\'s quota) with cdk deploy -c smsMonthlySpendLimitUsd=..., or hold back notices.',
      'This is the AWS bill; a county\'s own monthly SMS budget in yuan is kept by the dispatcher, whose "sms budget reached" error line fires the dispatcher-logged-errors alarm.',
    ].join(' '),
    // SNS publishes the month's running total now and then while SMS go out; the highest value in
    // the hour is the latest. No SMS, no data: not an alarm.
    metric: new Metric({ ...SMS_SPEND_METRIC, statistic: Stats.MAXIMUM, period: Duration.hours(1) }),
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(props.action);
  return alarm;
}
