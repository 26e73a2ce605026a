/**
 * @module domain/alarm-lines
 * The messages of the log lines an alarm is built on (infra/alarms.ts matches them with a metric
 * filter on `$.message`): one definition, so the line the dispatcher writes and the filter that
 * finds it cannot drift apart.
 */
export const ALARM_LINES = {
  /** A county's monthly SMS budget would be passed: its SMS wait (workflows/sms-spend.ts). */
  smsBudgetReached: 'sms budget reached',
  /** A notice's sends kept failing and it was paused (workflows/auto-pause.ts). */
  noticeAutoPaused: 'notice auto-paused: too many failed sends',
} as const;
