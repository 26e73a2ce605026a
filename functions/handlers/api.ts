/**
 * @module handlers/api
 * The API Lambda: the Hono app behind an API Gateway HTTP API (payload format 2.0).
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../app.js';
import { loadedOnFirstUse } from '../notify/station-subscriptions.js';
import { onFirstUse } from '../on-first-use.js';
import { wechatFromConfig } from '../wechat/from-config.js';
import { depsFromEnvironment } from './deps.js';

// Top-level await: the cold start reads the phone-key secret once, before the first request.
const deps = await depsFromEnvironment(process.env);
// Only the API changes stations, so only it subscribes their push endpoints (and holds those SNS
// actions); the SNS client is imported when a station's endpoint first changes.
const { stationTopicArn } = deps.config;
const stationSubscriptions = stationTopicArn
  ? loadedOnFirstUse(async () => (await import('../notify/sns-subscriptions.js')).snsStationSubscriptions({ ...deps.config, stationTopicArn }))
  : undefined;
// Text-to-speech and the recordings' bucket, loaded on first use (a broadcast's submit, a listener):
// only the API synthesizes, so only it holds Polly and writes recordings.
const speech = onFirstUse(async () => (await import('../speech/from-config.js')).speechFromConfig(deps.config));
// Images for WeChat articles, in the same bucket under images/: loaded on the first upload or view.
const images = onFirstUse(async () => (await import('../images/from-config.js')).imagesFromConfig(deps.config));
// Activities' evidence (photos, sign-in sheets), in the same bucket under evidence/: loaded on the first upload or view.
const evidence = onFirstUse(async () => (await import('../evidence/from-config.js')).evidenceFromConfig(deps.config));
// The WeChat account's secret (Secrets Manager) is read when WeChat is first needed: an approval, a callback.
const wechat = wechatFromConfig(deps);
const app = createApp({ ...deps, stationSubscriptions, speech, images, evidence, wechat });

export const handler = handle(app);
