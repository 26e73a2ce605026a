/**
 * @module notify/from-config
 * The notifier, built once per process from validated config: station scripts go to the topic in
 * the stack's region (AWS_REGION), SMS and the opt-out list to SNS in the SMS region
 * (PUFA_SMS_REGION), which differ when the stack sits where SNS sends no SMS. A local sink
 * (PUFA_SNS_ENDPOINT) takes both.
 */
import type { Config } from '../config.js';
import { createSnsClient, createSnsNotifier, type Notifier } from './sns.js';

export function notifierFromConfig(config: Config): Notifier {
  const topicClient = createSnsClient({ region: config.region, endpoint: config.snsEndpoint });
  const smsClient = config.sms.region === config.region ? topicClient : createSnsClient({ region: config.sms.region, endpoint: config.snsEndpoint });
  return createSnsNotifier(topicClient, {
    stationTopicArn: config.stationTopicArn,
    smsClient,
    smsType: config.sms.type,
    senderId: config.sms.senderId,
    originationNumber: config.sms.originationNumber,
  });
}
