/**
 * @module local/station-receiver
 * A small reference receiver for a village station (`npm run station-receiver -- --token …`):
 * the HTTP endpoint a station's `pushEndpoint` names. It confirms its SNS subscription, verifies
 * every message's signature (sns-verifier.ts) and refuses forged, stale and replayed ones, keeps
 * each script (in memory, and as a JSON file with --store-dir), tells pufa it received it
 * (`POST /stations/me/pushes`), downloads its recording and checks it against the SHA-256 pufa
 * sent (kept beside it with --store-dir), plays it at its air time (logs it; --play-command runs a
 * command with the script's text on stdin and the recording's path in PUFA_AUDIO_FILE), then confirms the airing (`POST /stations/me/scripts/{id}/aired`)
 * with the station's token — so "aired" can come from the loudspeaker's side.
 */
import './quiet-sdk-warning.js';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { z } from 'zod';
import { SnsVerifier } from './sns-verifier.js';
import { DEFAULT_DATA_DIR } from './paths.js';
import { findRunningServer, offsetClock } from './runtime.js';

const optionsSchema = z.object({
  token: z.string().regex(/^pufa_\S+$/, 'a station token (pufa_…), from npm run token'),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  api: z.url({ protocol: /^https?$/ }),
  certOrigins: z.array(z.url({ protocol: /^https?$/ })),
  topicArns: z.array(z.string().min(1)),
  dataDir: z.string().min(1),
  storeDir: z.string().min(1).optional(),
  playCommand: z.string().min(1).optional(),
  maxAgeMinutes: z.coerce.number().int().min(1).max(24 * 60),
  clock: z.iso.datetime({ offset: true }).optional(),
});
type Options = z.infer<typeof optionsSchema>;

/** The script pufa's dispatcher publishes (workflows/dispatch.ts), as far as the receiver needs it. */
const scriptSchema = z.object({
  id: z.string().min(1).max(200),
  airAt: z.iso.datetime({ offset: true }),
  text: z.string().min(1),
  title: z.string().optional(),
  repeats: z.number().int().min(1).max(20).default(1),
  /** The approved recording: a short-lived link (relative to the API locally), its SHA-256 and length. */
  audio: z.object({ url: z.string().min(1).optional(), sha256: z.string().regex(/^[0-9a-f]{64}$/), durationSeconds: z.number().min(0) }).optional(),
});
type Script = z.infer<typeof scriptSchema>;

/**
 * Fetches the script's recording at once (its link lapses) and checks it against the SHA-256 pufa
 * sent: only the approved file is ever played. Kept beside the script with --store-dir. Undefined
 * (and a warning) when it cannot be had or does not match: the station then has the text only.
 */
async function fetchRecording(options: Options, script: Script): Promise<{ path?: string; bytes: number } | undefined> {
  const audio = script.audio;
  if (!audio) return undefined;
  try {
    // A push without a link (pufa could not make one): the station's pull gives a fresh one.
    const url = audio.url ?? (await pulledLink(options, script.id));
    const answer = await fetch(new URL(url, options.api), { signal: AbortSignal.timeout(60_000) });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    const bytes = new Uint8Array(await answer.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== audio.sha256) throw new Error(`its SHA-256 is ${sha256}, not the approved ${audio.sha256}`);
    const path = options.storeDir ? join(resolve(options.storeDir), `${fileNameOf(script.id)}.mp3`) : undefined;
    if (path) writeFileSync(path, bytes);
    log(`录音已校验 (recording verified) ${script.id}: ${bytes.byteLength} bytes, ${audio.durationSeconds.toFixed(1)} s${path ? `, kept as ${path}` : ''}`);
    return { ...(path ? { path } : {}), bytes: bytes.byteLength };
  } catch (error) {
    warn(`the recording of ${script.id} was refused, the text only will be kept: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** The script's recording link as the station's own pull gives it. */
async function pulledLink(options: Options, id: string): Promise<string> {
  const answer = await fetch(new URL('/stations/me/scripts', options.api), { headers: { Authorization: `Bearer ${options.token}` }, signal: AbortSignal.timeout(15_000) });
  if (!answer.ok) throw new Error(`/stations/me/scripts: HTTP ${answer.status}`);
  const scripts = z.object({ items: z.array(z.object({ id: z.string(), audio: z.object({ url: z.string() }).optional() })) }).parse(await answer.json());
  const url = scripts.items.find((item) => item.id === id)?.audio?.url;
  if (!url) throw new Error('the pull gives no link to this script’s recording');
  return url;
}

const fileNameOf = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_');

const CONFIRM_ATTEMPTS = 4;

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      token: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      api: { type: 'string' },
      'cert-origin': { type: 'string', multiple: true },
      'topic-arn': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'store-dir': { type: 'string' },
      'play-command': { type: 'string' },
      'max-age-minutes': { type: 'string' },
      clock: { type: 'string' },
    },
  });
  const env = process.env;
  const parsed = optionsSchema.safeParse({
    token: values.token ?? env.PUFA_STATION_TOKEN,
    port: values.port ?? 8790,
    host: values.host ?? '127.0.0.1',
    api: values.api ?? 'http://localhost:8787',
    certOrigins: values['cert-origin'] ?? [],
    topicArns: values['topic-arn'] ?? [],
    dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR,
    storeDir: values['store-dir'],
    playCommand: values['play-command'],
    maxAgeMinutes: values['max-age-minutes'] ?? 60,
    clock: values.clock,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${String(issue.path[0] ?? '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}: ${issue.message}`);
    console.error(`station-receiver cannot start.\n${problems.join('\n')}`);
    process.exit(2);
  }
  return parsed.data;
}

const log = (line: string) => process.stdout.write(`[receiver] ${line}\n`);
const warn = (line: string) => process.stderr.write(`[receiver] ${line}\n`);

async function callApi(options: Options, path: string, body: object): Promise<void> {
  const answer = await fetch(new URL(path, options.api), {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  if (!answer.ok) throw new Error(`${path}: HTTP ${answer.status} ${await answer.text()}`);
  await answer.body?.cancel();
}

/** Tries an API call a few times with backoff; a 4xx is final (the answer will not change). */
async function withRetries(what: string, call: () => Promise<void>): Promise<boolean> {
  for (let attempt = 1; attempt <= CONFIRM_ATTEMPTS; attempt += 1) {
    try {
      await call();
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const final = / HTTP 4\d\d /.test(reason) || attempt === CONFIRM_ATTEMPTS;
      warn(`${what} failed (attempt ${attempt}): ${reason}${final ? '' : '; trying again'}`);
      if (final) return false;
      await new Promise((wake) => setTimeout(wake, 500 * 2 ** attempt));
    }
  }
  return false;
}

function play(options: Options, script: Script, recording: { path?: string } | undefined): Promise<void> {
  log(`播出 (playing) ${script.id}${script.title ? ` 《${script.title}》` : ''} ×${script.repeats}${recording ? ' (the verified recording)' : ''}: ${script.text}`);
  const command = options.playCommand;
  if (!command) return Promise.resolve();
  return new Promise((done, fail) => {
    // The command gets the text on stdin and, when kept, the verified recording's path.
    const env = { ...process.env, ...(recording?.path ? { PUFA_AUDIO_FILE: recording.path } : {}) };
    const child = spawn(command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`--play-command exited with ${code}`))));
    child.stdin.end(script.text);
  });
}

async function waitUntil(clock: () => Date, at: string): Promise<void> {
  // setTimeout holds at most ~24.8 days: wait in steps of at most an hour.
  for (let left = Date.parse(at) - clock().getTime(); left > 0; left = Date.parse(at) - clock().getTime()) {
    await new Promise((wake) => setTimeout(wake, Math.min(left, 3_600_000)));
  }
}

async function handleScript(options: Options, clock: () => Date, script: Script): Promise<void> {
  const recording = await fetchRecording(options, script);
  await withRetries(`receipt of ${script.id}`, () => callApi(options, '/stations/me/pushes', { scriptId: script.id, receivedAt: clock().toISOString() }));
  await waitUntil(clock, script.airAt);
  try {
    await play(options, script, recording);
  } catch (error) {
    warn(`playing ${script.id} failed, not confirmed: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const airedAt = clock().toISOString();
  if (await withRetries(`airing confirmation of ${script.id}`, () => callApi(options, `/stations/me/scripts/${encodeURIComponent(script.id)}/aired`, { airedAt }))) {
    log(`已确认播出 (airing confirmed) ${script.id} at ${airedAt}`);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const clock = options.clock ? offsetClock(Date.parse(options.clock) - Date.now()) : () => new Date();
  // Locally the certificates come from the running server's SNS sink, found through its data folder.
  const certOrigins = [...options.certOrigins];
  if (certOrigins.length === 0) {
    const running = await findRunningServer(options.dataDir);
    if (running?.snsEndpoint) certOrigins.push(running.snsEndpoint);
  }
  const verifier = new SnsVerifier({ certOrigins, topicArns: options.topicArns, maxAgeMs: options.maxAgeMinutes * 60_000, clock });
  const scripts = new Map<string, Script>();
  if (options.storeDir) mkdirSync(resolve(options.storeDir), { recursive: true });

  const app = new Hono();
  app.post('*', async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json({ refused: 'malformed', reason: 'the body is not JSON' }, 400);
    }
    const verdict = await verifier.verify(body);
    if (!verdict.ok) {
      warn(`refused (${verdict.refusal}): ${verdict.reason}`);
      const status = verdict.refusal === 'malformed' ? 400 : verdict.refusal === 'replay' ? 409 : 403;
      return c.json({ refused: verdict.refusal, reason: verdict.reason }, status);
    }
    const message = verdict.message;
    if (message.Type === 'SubscriptionConfirmation') {
      try {
        const answer = await fetch(message.SubscribeURL, { signal: AbortSignal.timeout(15_000) });
        await answer.body?.cancel();
        if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      } catch (error) {
        verifier.forget(message.MessageId); // SNS's retry of this confirmation must get through
        warn(`confirming the subscription failed: ${error instanceof Error ? error.message : String(error)}`);
        return c.json({ error: 'confirmation failed' }, 502);
      }
      log(`订阅已确认 (subscription confirmed) on ${message.TopicArn}`);
      return c.json({ confirmed: true }, 200);
    }
    if (message.Type === 'UnsubscribeConfirmation') {
      log(`退订通知 (unsubscribed) from ${message.TopicArn}`);
      return c.json({ ok: true }, 200);
    }
    let json: unknown;
    try {
      json = JSON.parse(message.Message);
    } catch {
      json = undefined;
    }
    const script = scriptSchema.safeParse(json);
    if (!script.success) {
      warn(`a signed message that is not a script was refused: ${script.error.issues[0]?.message ?? 'invalid'}`);
      return c.json({ refused: 'not-a-script' }, 400);
    }
    if (scripts.has(script.data.id)) {
      // pufa pushes a script again after a crash: same id, aired once.
      log(`已有此稿 (already have) ${script.data.id}`);
      return c.json({ duplicate: true }, 200);
    }
    scripts.set(script.data.id, script.data);
    if (options.storeDir) writeFileSync(join(resolve(options.storeDir), `${fileNameOf(script.data.id)}.json`), JSON.stringify(script.data, null, 2));
    log(`已收到 (received) ${script.data.id}, to air at ${script.data.airAt}`);
    handleScript(options, clock, script.data).catch((error: unknown) => warn(`handling ${script.data.id} failed: ${error instanceof Error ? error.message : String(error)}`));
    return c.json({ received: script.data.id }, 200);
  });

  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
    log(
      `listening on http://${options.host}:${info.port}/ — API ${options.api}; certificates from SNS${certOrigins.length > 0 ? ` and ${certOrigins.join(', ')}` : ' only'}`,
    );
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(`station-receiver cannot listen: ${error.message}`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('station-receiver cannot start:', error);
  process.exit(1);
});
