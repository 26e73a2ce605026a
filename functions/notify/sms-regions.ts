/**
 * @module notify/sms-regions
 * Where Amazon SNS can send SMS from, as data, and the one rule both the CDK app (at synth) and
 * the config (at function start) apply: SMS must be published in a region that sends SMS, from
 * credentials that can reach it. SNS SMS is not offered in AWS China (Beijing, Ningxia), and AWS
 * China is a partition of its own: its credentials do not work in any other region.
 */

/**
 * The AWS Regions where Amazon SNS sends SMS, as listed on AWS's page "Supported countries and
 * regions" (https://docs.aws.amazon.com/sns/latest/dg/sns-supported-regions-countries.html),
 * read 2026-12 through the docs index: its table went as far as Europe (Milan) in the copy we
 * could read, so regions after it there (e.g. Paris, Stockholm, São Paulo) are missing here;
 * us-gov-west-1 is from an earlier version of the same page. A region AWS lists but this file
 * does not is refused until it is added here: check the page, then add it.
 */
export const SNS_SMS_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'us-gov-west-1',
  'af-south-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-northeast-1',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-south-1',
]);

/**
 * The region the README and the error messages suggest: Singapore sends SMS, is close to China,
 * and any SNS SMS region can send to +86 once AWS has approved the templates (the support case
 * names the region you send from).
 */
export const EXAMPLE_SMS_REGION = 'ap-southeast-1';

/** What an AWS region name looks like: ap-southeast-1, cn-north-1, us-gov-west-1. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const CHINA_REGIONS: ReadonlySet<string> = new Set(['cn-north-1', 'cn-northwest-1']);

/** The partition a region belongs to: IAM and credentials never cross partitions. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const example = `e.g. ${EXAMPLE_SMS_REGION} (Singapore)`;
const partitionNote =
  'AWS China is a separate partition with its own accounts: credentials from cn-north-1 or cn-northwest-1 cannot call SNS in any other region, so the stack itself must be deployed outside AWS China (with a global AWS account)';

/**
 * Why publishing SMS in `smsRegion` from a deployment in `runsIn` cannot work, or undefined when
 * it can. `setting` says how the caller sets the SMS region, e.g. "Set PUFA_SMS_REGION".
 */
export function smsRegionProblem(smsRegion: string, runsIn: string | undefined, setting: string): string | undefined {
  const runsInChina = runsIn !== undefined && partitionOf(runsIn) === 'aws-cn';
  if (CHINA_REGIONS.has(smsRegion) || partitionOf(smsRegion) === 'aws-cn') {
    return `SNS does not send SMS from ${smsRegion} (AWS China). ${setting} to a region that does, ${example}${runsInChina ? `; and ${partitionNote}` : ''}.`;
  }
  if (!SNS_SMS_REGIONS.has(smsRegion)) {
    return `SNS does not send SMS from ${smsRegion}: it is not among the SMS regions in functions/notify/sms-regions.ts (from AWS's "Supported countries and regions" page). ${setting} to a region that does, ${example}; if AWS now lists ${smsRegion}, add it there.`;
  }
  if (runsIn !== undefined && partitionOf(runsIn) !== partitionOf(smsRegion)) {
    return `A deployment in ${runsIn} cannot publish SMS in ${smsRegion}: ${runsInChina ? partitionNote : `${runsIn} and ${smsRegion} are in different AWS partitions, and credentials never cross partitions`}. Deploy the stack in the partition of the SMS region, or ${setting.charAt(0).toLowerCase()}${setting.slice(1)} to a region of the stack's partition that sends SMS.`;
  }
  return undefined;
}
