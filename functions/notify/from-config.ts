/**
 * @module notify/from-config
 * The notifier and the dispatcher's settings, built once per process from validated config.
 */
import type { Config } from '../config.js';
import { defaultDispatchSettings, type DispatchSettings } from '../workflows/dispatch.js';
import { createSnsClient, createSnsNotifier, type Notifier } from './sns.js';

export function notifierFromConfig(config: Config): Notifier {
  return createSnsNotifier(createSnsClient({ region: config.region, endpoint: config.snsEndpoint }), {
    stationTopicArn: config.stationTopicArn,
    smsType: config.sms.type,
    senderId: config.sms.senderId,
    originationNumber: config.sms.originationNumber,
  });
}

export function dispatchSettingsFromConfig(config: Config): DispatchSettings {
  return { ...defaultDispatchSettings, smsPerSecond: config.sms.perSecond, lateWindowMinutes: config.lateWindowMinutes };
}
