/**
 * @module speech/polly-regions
 * Where Amazon Polly can be called, as data, and the rule the CDK app applies at synth: the TTS
 * region must offer Polly and sit in the stack's partition (credentials never cross partitions).
 * In AWS China, Polly is offered only in Ningxia (cn-northwest-1), not in Beijing.
 */
import { partitionOf } from '../notify/sms-regions.js';

/**
 * The regions with a Polly endpoint. Sources, read 2026-12 through the docs index:
 * AWS's "Amazon Polly endpoints and quotas" (https://docs.aws.amazon.com/general/latest/gr/pol.html)
 * — the copy we could read broke off after us-east-1/2, us-west-1/2, af-south-1, ap-east-1,
 * ap-southeast-5, ap-south-1 and ap-northeast-3; the rest (Tokyo, Seoul, Singapore, Sydney,
 * Canada, Frankfurt, Stockholm, Ireland, London, Paris, Bahrain, São Paulo) is from a published
 * per-service region list of the same service; cn-northwest-1 from "Amazon Polly in Amazon Web
 * Services China" (docs.amazonaws.cn). GovCloud and newer regions are not listed for want of a
 * page we could read: a region missing here is refused until it is added — check the page first.
 */
export const POLLY_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-5',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-south-1',
  'sa-east-1',
  'cn-northwest-1',
]);

/** The one Polly region of AWS China. */
export const CHINA_POLLY_REGION = 'cn-northwest-1';

/**
 * The TTS region a stack in `stackRegion` uses when none is set: its own where Polly is offered,
 * Ningxia for a stack in AWS China (Beijing has no Polly; Ningxia is the same partition, so the
 * function's credentials reach it), else none.
 */
export function defaultTtsRegion(stackRegion: string): string | undefined {
  if (POLLY_REGIONS.has(stackRegion)) return stackRegion;
  if (partitionOf(stackRegion) === 'aws-cn') return CHINA_POLLY_REGION;
  return undefined;
}

/** Why calling Polly in `ttsRegion` from a stack in `stackRegion` cannot work, or undefined. */
export function ttsRegionProblem(ttsRegion: string, stackRegion: string | undefined): string | undefined {
  if (!POLLY_REGIONS.has(ttsRegion)) {
    const hint = partitionOf(ttsRegion) === 'aws-cn' ? ` In AWS China, Polly is offered only in ${CHINA_POLLY_REGION} (Ningxia).` : '';
    return `Amazon Polly is not offered in ${ttsRegion}: it is not among the Polly regions in functions/speech/polly-regions.ts.${hint} If AWS now lists ${ttsRegion}, add it there.`;
  }
  if (stackRegion !== undefined && partitionOf(stackRegion) !== partitionOf(ttsRegion)) {
    return `A stack in ${stackRegion} cannot call Polly in ${ttsRegion}: they are in different AWS partitions, and credentials never cross partitions.`;
  }
  return undefined;
}
