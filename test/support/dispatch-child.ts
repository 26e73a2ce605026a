/**
 * One dispatcher run in a process of its own, for tests that kill it outright (kill -9) mid-send.
 * Reads its table, the SNS sink and the clock from the environment; prints one line per outcome
 * summary only if it is allowed to finish.
 */
import { createLogger } from '../../functions/http/logger.js';
import { localDeps } from '../../functions/local/runtime.js';
import { createSnsClient, createSnsNotifier } from '../../functions/notify/sns.js';
import { parseWeChatSecrets, wechatChannel } from '../../functions/wechat/channel.js';
import { defaultDispatchSettings, runDispatch } from '../../functions/workflows/dispatch.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`dispatch-child: ${name} is not set`);
  return value;
};
const local = await localDeps({
  dynamoDbEndpoint: required('CHILD_DYNAMODB_ENDPOINT'),
  tableName: required('CHILD_TABLE_NAME'),
  env: { PUFA_COUNTY: 'testcounty' },
  phoneKeySecret: required('CHILD_PHONE_KEY_SECRET'),
  logLevel: 'silent',
});
const offset = Date.parse(required('CHILD_CLOCK')) - Date.now();
const notifier = createSnsNotifier(createSnsClient({ region: 'cn-north-1', endpoint: required('CHILD_SNS_ENDPOINT') }), {
  stationTopicArn: 'arn:aws:sns:local:000000000000:pufa-stations',
  smsType: 'Transactional',
});
const summary = await runDispatch(
  {
    store: local.store,
    notifier,
    clock: () => new Date(Date.now() + offset),
    logger: createLogger({ level: 'silent' }),
    phoneKeys: local.deps.phoneKeys,
    settings: { ...defaultDispatchSettings, smsPerSecond: Number(required('CHILD_SMS_PER_SECOND')) },
    // The WeChat stand-in, when the test gives one.
    ...(env.CHILD_WECHAT_API
      ? {
          wechat: async () =>
            wechatChannel({ store: local.store, county: 'testcounty', clock: () => new Date(Date.now() + offset), secrets: parseWeChatSecrets(required('CHILD_WECHAT_SECRETS'), 'CHILD_WECHAT_SECRETS'), apiBase: required('CHILD_WECHAT_API'), massSendProtection: false }),
        }
      : {}),
  },
  { budgetMs: 60_000 },
);
process.stdout.write(`${JSON.stringify(summary)}\n`);
local.client.destroy();
