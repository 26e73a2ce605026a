/**
 * @module notify/from-config
 * The notifier, built once per process from validated config.
 */
import type { Config } from '../config.js';
import { createSnsClient, createSnsNotifier, type Notifier } from './sns.js';

export function notifierFromConfig(config: Config): Notifier {
  return createSnsNotifier(createSnsClient({ region: config.region, endpoint: config.snsEndpoint }), {
    stationTopicArn: config.stationTopicArn,
    smsType: config.sms.type,
    senderId: config.sms.senderId,
    originationNumber: config.sms.originationNumber,
  });
}
