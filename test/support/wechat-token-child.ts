/**
 * A WeChat token refresher in a process of its own, for the test that kills it outright (kill -9)
 * while it holds the refresh lease. It takes the lease, prints `lease taken`, and then its
 * `refresh()` waits forever: only the kill ends it.
 */
import { localDeps } from '../../functions/local/runtime.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`wechat-token-child: ${name} is not set`);
  return value;
};
const local = await localDeps({
  dynamoDbEndpoint: required('CHILD_DYNAMODB_ENDPOINT'),
  tableName: required('CHILD_TABLE_NAME'),
  env: { PUFA_COUNTY: required('CHILD_COUNTY') },
  phoneKeySecret: required('CHILD_PHONE_KEY_SECRET'),
  logLevel: 'silent',
});
await local.store.wechatToken.getOrRefresh(required('CHILD_COUNTY'), new Date(), () =>
  // A refresh that never answers; the interval keeps the process alive until it is killed.
  new Promise(() => {
    setInterval(() => undefined, 60_000);
  }), {
  leaseMs: Number(required('CHILD_LEASE_MS')),
  onLeaseTaken: () => process.stdout.write('lease taken\n'),
});
process.stdout.write('refreshed (never expected)\n');
