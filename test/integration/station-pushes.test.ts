/**
 * Station pushes end to end, with real processes over HTTP: the app served on a port, the local
 * SNS sink with its subscriptions, and the reference station receiver as a child process. A
 * station given a pushEndpoint is subscribed, its receiver confirms, a broadcast is dispatched,
 * the receiver verifies the signed push, reports it and confirms the airing through the API.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { sign } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { SNSClient } from '@aws-sdk/client-sns';
import type { StationSubscriptions } from '../../functions/notify/station-subscriptions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { parseDeliveryId } from '../../functions/domain/delivery.js';
import { stringToSign } from '../../functions/domain/sns-message.js';
import { createSigningIdentity } from '../../functions/local/self-signed-cert.js';
import { startSnsSink, type RunningSnsSink } from '../../functions/local/sns-sink.js';
import { createSnsClient, createSnsNotifier } from '../../functions/notify/sns.js';
import { createStationSubscriptions, stationSubscriptionsFromConfig } from '../../functions/notify/sns-subscriptions.js';
import { syncStationSubscriptions } from '../../functions/workflows/station-pushes.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, aBroadcastNotice, STATION_TOPIC, type Bench } from '../support/dispatch.js';
import { NODE_WITH_TSX } from '../support/local-server.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { STALL_GUARD_MS, UI_WAIT_MS } from '../support/timeouts.js';

// 07:00 in Asia/Shanghai on 3.15, when aBroadcastNotice airs.
const AIR_TIME = '2031-03-14T23:00:00.000Z';
const COUNTY = 'testcounty';

let db: TestDatabase;
let bench: Bench;
let sink: RunningSnsSink;
let api: { url: string; server: ServerType };
let admin: Record<string, string>;
let receiver: { url: string; output: () => string; child: ChildProcessWithoutNullStreams };
let dataDir: string;
let stationSubscriptions: StationSubscriptions;

/** Polls a condition (each poll a real request or a look at a process's output) until it holds. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + UI_WAIT_MS / 2;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; the receiver said:\n${receiver?.output()}\nthe sink delivered: ${JSON.stringify(sink?.subscriptions.pushes())}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown, contentType = 'application/json') {
  const response = await fetch(new URL(path, api.url), {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

/** Starts the receiver as a child and waits for its "listening on" line. */
function startReceiver(token: string, clock: string): Promise<typeof receiver> {
  const [node, ...nodeArgs] = NODE_WITH_TSX;
  const child = spawn(
    node,
    [...nodeArgs, 'functions/local/station-receiver.ts', '--token', token, '--port', '0', '--api', api.url, '--cert-origin', sink.endpoint, '--clock', clock, '--data-dir', dataDir],
    { stdio: 'pipe', env: { ...process.env } },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const stall = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the receiver printed nothing in time:\n${output}`));
    }, STALL_GUARD_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.match(/listening on (http:\/\/\S+\/)/)?.[1];
      if (!url) return;
      clearTimeout(stall);
      resolve({ url, output: () => output, child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(stall);
      reject(new Error(`the receiver exited with ${code}:\n${output}`));
    });
  });
}

const stationOf = async (id: string) => must(((await call('GET', '/stations', admin)).body.items as Record<string, any>[]).find((item) => item.id === id), `station ${id}`);
const subscriptionsOf = (endpointPrefix: string) => sink.subscriptions.list().filter((item) => item.endpoint.startsWith(endpointPrefix));

beforeAll(async () => {
  db = await freshTable({ county: COUNTY });
  bench = await aBench(db);
  dataDir = mkdtempSync(join(tmpdir(), 'pufa-receiver-'));
  // The sink and the API run on the air day's clock, moving in real time, as the receiver's does
  // (started a moment later, so never ahead of theirs); the dispatcher on the bench's.
  const offset = Date.parse(AIR_TIME) - Date.now();
  const airDay = () => new Date(Date.now() + offset);
  sink = await startSnsSink({ clock: airDay, subscriptions: { retries: 3, backoffMs: 50 } });
  stationSubscriptions = must(stationSubscriptionsFromConfig({ region: 'cn-north-1', snsEndpoint: sink.endpoint, stationTopicArn: STATION_TOPIC }));
  const app = createApp({ ...db.deps, clock: airDay, stationSubscriptions });
  api = await new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, server }));
  });
  admin = (await aToken(db.store, COUNTY, aGrant({ role: 'admin' }), { now: new Date(AIR_TIME) })).headers;
  const station = await aToken(db.store, COUNTY, aGrant({ role: 'station', stationId: 'st-xiangyang' }), { now: new Date(AIR_TIME) });
  receiver = await startReceiver(station.secret, AIR_TIME);
});

afterAll(async () => {
  receiver?.child.kill('SIGTERM');
  await sink?.stop();
  await new Promise((done) => (api ? api.server.close(() => done(undefined)) : done(undefined)));
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('station pushes', () => {
  it('subscribes a station given a pushEndpoint, its receiver confirms, and a dispatched script is verified, received and aired from the loudspeaker’s side', async () => {
    const put = await call('PUT', '/registry', admin, { stations: [{ id: 'st-xiangyang', village: 'chengxiang-xiangyang', name: '向阳村广播站（示例）', pushEndpoint: receiver.url }] });
    expect(put.status).toBe(200);
    expect(put.body.pushes).toEqual({ subscribed: ['st-xiangyang'], unsubscribed: [], failed: [] });
    const [subscription] = subscriptionsOf(receiver.url);
    expect(subscription).toMatchObject({ topicArn: STATION_TOPIC, protocol: 'http', filterPolicy: { county: [COUNTY], station: ['st-xiangyang'] } });

    // The receiver visits the SubscribeURL; the stations list asks SNS and shows it confirmed.
    await until('the receiver to confirm', () => receiver.output().includes('subscription confirmed'));
    const confirmed = await until('the list to show it subscribed', async () => {
      const station = await stationOf('st-xiangyang');
      return station.push.mode === 'subscribed' ? station : undefined;
    });
    expect(confirmed.push).toMatchObject({ endpoint: receiver.url, state: 'confirmed' });
    expect((await stationOf('st-dongfeng')).push).toEqual({ mode: 'pulling' });

    const { campaignId, noticeId } = await bench.scheduled(aBroadcastNotice());
    bench.clock.set(AIR_TIME);
    const notifier = createSnsNotifier(createSnsClient({ region: 'cn-north-1', endpoint: sink.endpoint }), { stationTopicArn: STATION_TOPIC, smsType: 'Transactional' });
    await bench.dispatch({ notifier });

    // Only this station's script goes to its receiver (filter policy); every station's is published.
    const pushed = must(sink.outbox.list().find((entry) => entry.attributes.station === 'st-xiangyang'), 'the pushed script');
    const scriptId = (JSON.parse(pushed.message) as { id: string }).id;
    await until('the receiver to confirm the airing', () => receiver.output().includes(`airing confirmed) ${scriptId}`));
    // The push carried the approved recording's link: the receiver fetched it and its SHA-256 matched.
    expect(JSON.parse(pushed.message)).toMatchObject({ audio: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), url: expect.stringMatching(/^\/audio\/[0-9a-f]{64}\.mp3\?expires=/) } });
    expect(receiver.output()).toContain(`recording verified) ${scriptId}`);
    const delivered = sink.subscriptions.pushes().filter((push) => push.kind === 'notification');
    expect(delivered).toEqual([expect.objectContaining({ endpoint: receiver.url, messageId: pushed.messageId, outcome: 'delivered' })]);

    const { sendIndex } = parseDeliveryId(scriptId);
    const delivery = await db.store.deliveries.getByKey(COUNTY, campaignId, noticeId, sendIndex, 'sst-xiangyang');
    expect(delivery?.state).toBe('aired');
    const station = await stationOf('st-xiangyang');
    expect(station.lastPushReceivedAt).toEqual(expect.any(String));
    expect(station.lastAiringConfirmedAt).toEqual(expect.any(String));
    expect(station.contactedToday).toBe(true);
  });

  it('gives a subscription made before counties were in the filter its county’s filter when the stations are next listed', async () => {
    const record = must((await db.store.stationPushes.get(COUNTY)).subscriptions.get('st-xiangyang'));
    const arn = must(record.subscriptionArn);
    // As a deployment from before issue 17 left it: confirmed, filtered on the station alone.
    await stationSubscriptions.setFilter(arn, { station: ['st-xiangyang'] });
    const { filter: _filter, ...old } = record;
    await db.store.stationPushes.putSubscription(COUNTY, old);
    expect((await stationOf('st-xiangyang')).push).toMatchObject({ state: 'confirmed' });
    expect(subscriptionsOf(receiver.url)[0]?.filterPolicy).toEqual({ county: [COUNTY], station: ['st-xiangyang'] });
    expect((await db.store.stationPushes.get(COUNTY)).subscriptions.get('st-xiangyang')).toMatchObject({ state: 'confirmed', filter: 'county', confirmedAt: record.confirmedAt });
  });

  it('refuses a forged push: signed by another key, or with a certificate from elsewhere', async () => {
    const forger = createSigningIdentity();
    const unsigned = {
      Type: 'Notification' as const,
      MessageId: 'forged-1',
      TopicArn: STATION_TOPIC,
      Message: JSON.stringify({ id: 'c~n~0~st-xiangyang', airAt: AIR_TIME, text: '假消息' }),
      Timestamp: AIR_TIME,
      SignatureVersion: '2' as const,
      SigningCertURL: `${sink.endpoint}/SimpleNotificationService-local.pem`,
      UnsubscribeURL: `${sink.endpoint}/?Action=Unsubscribe`,
    };
    const signedBy = (message: typeof unsigned) => ({ ...message, Signature: sign('sha256', Buffer.from(stringToSign(message)), forger.privateKey).toString('base64') });
    const post = (body: object) => fetch(receiver.url, { method: 'POST', body: JSON.stringify(body) });
    const forged = await post(signedBy(unsigned));
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ refused: 'signature' });
    const elsewhere = await post(signedBy({ ...unsigned, MessageId: 'forged-2', SigningCertURL: 'http://127.0.0.1:1/evil.pem' }));
    expect(await elsewhere.json()).toMatchObject({ refused: 'cert-host' });
    expect((await post({ hello: 'world' })).status).toBe(400);
    expect(receiver.output()).not.toContain('假消息');
  });

  it('moves the subscription when the endpoint changes, and ends it when the station goes', async () => {
    const [before] = subscriptionsOf(receiver.url);
    const moved = `${receiver.url}moved`;
    const put = await call('PUT', '/registry', admin, { stations: [{ id: 'st-xiangyang', village: 'chengxiang-xiangyang', name: '向阳村广播站（示例）', pushEndpoint: moved }] });
    expect(put.body.pushes).toMatchObject({ subscribed: ['st-xiangyang'], failed: [] });
    expect(sink.subscriptions.list().map((item) => item.arn)).not.toContain(must(before).arn);
    expect(subscriptionsOf(receiver.url).map((item) => item.endpoint)).toEqual([moved]);
    await until('the new subscription confirmed', async () => ((await stationOf('st-xiangyang')).push.mode === 'subscribed' ? true : undefined));

    const removed = await call('DELETE', '/registry/stations/st-xiangyang', admin);
    expect(removed.status).toBe(200);
    expect(subscriptionsOf(receiver.url)).toEqual([]);
    expect((await db.store.stationPushes.get(COUNTY)).subscriptions.has('st-xiangyang')).toBe(false);
  });

  it('subscribes endpoints from a stations CSV import and from a plan load that carries the registry', async () => {
    const csv = `编号,名称,所属村,推送地址\nst-dongfeng,东风村广播站（示例）,chengxiang-dongfeng,${receiver.url}dongfeng\n`;
    const imported = await call('POST', '/stations/import', admin, csv, 'text/csv');
    expect(imported.status).toBe(200);
    expect(imported.body.pushes).toEqual({ subscribed: ['st-dongfeng'], unsubscribed: [], failed: [] });

    // A plan file's registry is whole: the sample's, with one station given an endpoint (and the one imported above kept).
    const sample = sampleRegistry();
    const registry = {
      ...sample,
      stations: sample.stations.map((station) =>
        station.id === 'st-qiaotou' ? { ...station, pushEndpoint: `${receiver.url}qiaotou` } : station.id === 'st-dongfeng' ? { ...station, pushEndpoint: `${receiver.url}dongfeng` } : station,
      ),
    };
    const loaded = await loadPlan(
      { store: db.store, config: db.config, now: new Date(AIR_TIME), subscriptions: stationSubscriptionsFromConfig({ region: 'cn-north-1', snsEndpoint: sink.endpoint, stationTopicArn: STATION_TOPIC }) },
      { plan: aPlan(), registry, county: COUNTY, loader: { kind: 'system' }, actor: { tokenId: 'tok_admin', name: '管理员' }, dryRun: false },
    );
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    expect(subscriptionsOf(receiver.url).map((item) => item.endpoint).sort()).toEqual([`${receiver.url}dongfeng`, `${receiver.url}qiaotou`]);
  });

  it('records a subscription SNS could not make on the station, shows it, and tries again when the station is written again', async () => {
    const unreachable = createStationSubscriptions(new SNSClient({ region: 'cn-north-1', endpoint: 'http://127.0.0.1:1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), STATION_TOPIC);
    const report = await syncStationSubscriptions({ store: db.store, subscriptions: unreachable, now: new Date(AIR_TIME) }, COUNTY, [{ id: 'st-xinmin', pushEndpoint: `${receiver.url}xinmin` }]);
    expect(report.failed).toEqual([{ stationId: 'st-xinmin', error: expect.stringContaining('ECONNREFUSED') }]);
    const shown = await stationOf('st-xinmin');
    expect(shown.push).toMatchObject({ mode: 'failed', endpoint: `${receiver.url}xinmin`, error: expect.any(String) });

    const again = await call('PUT', '/registry', admin, { stations: [{ id: 'st-xinmin', village: 'shiyang-xinmin', name: '新民村广播站（示例）', pushEndpoint: `${receiver.url}xinmin` }] });
    expect(again.body.pushes).toMatchObject({ subscribed: ['st-xinmin'], failed: [] });
  });

  it('refuses an endpoint that is not http(s), naming the field, and writes nothing', async () => {
    const refused = await call('PUT', '/registry', admin, { stations: [{ id: 'st-new', village: 'chengxiang-xiangyang', name: '新站', pushEndpoint: 'ftp://example.org/x' }] });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('pushEndpoint');
    expect((await db.store.registry.get(COUNTY)).stations.some((station) => station.id === 'st-new')).toBe(false);
  });

  it('lets a station without an endpoint pull its scripts, and takes receipts only for its own scripts', async () => {
    const puller = await aToken(db.store, COUNTY, aGrant({ role: 'station', stationId: 'st-shuiyuan' }), { now: new Date(AIR_TIME) });
    const scripts = await call('GET', '/stations/me/scripts', puller.headers);
    expect(scripts.status).toBe(200);
    expect(scripts.body.items.length).toBeGreaterThan(0);
    expect((await stationOf('st-shuiyuan')).push).toEqual({ mode: 'pulling' });
    const other = must(sink.outbox.list().find((entry) => entry.attributes.station === 'st-gaoshan'));
    const foreign = await call('POST', '/stations/me/pushes', puller.headers, { scriptId: (JSON.parse(other.message) as { id: string }).id });
    expect(foreign.status).toBe(404);
    const badId = await call('POST', '/stations/me/pushes', puller.headers, { scriptId: 'nonsense' });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body)).toContain('scriptId');
  });
});
