/**
 * `npm run image` against a running app (served over HTTP on a free port, on DynamoDB Local):
 * it uploads the file, prints the `pufa-image:` source and the SHA-256 for `cover:`, and the
 * server then serves those very bytes; a file that is not an image, a token that may not upload
 * and a server that is not there each end it with 1 and one line saying why.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { freePort } from '../../functions/local/dynamodb-local.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aJpeg, aPng } from '../support/images.js';
import { UI_WAIT_MS } from '../support/timeouts.js';

const county = 'testcounty';
const work = mkdtempSync(join(tmpdir(), 'pufa-image-cli-'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let db: TestDatabase;
let api: { url: string; server: ServerType };
let staff = '';
let station = '';

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'functions/local/image-cli.ts', ...args], { timeout: UI_WAIT_MS }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

function aFile(name: string, bytes: Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

/** The app's access log lines for uploads: what reached the server, refused or not. */
const uploadRequests = () => db.logs.filter((line) => line.message === 'request' && line.method === 'POST' && line.route === '/images');

beforeAll(async () => {
  db = await freshTable({ county, ownRecordings: true });
  const app = createApp(db.deps);
  // Resolved once the server listens: the CLI's first request finds it up.
  api = await new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, server }));
  });
  staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).secret;
  station = (await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-xiangyang' }))).secret;
});
afterAll(async () => {
  await new Promise((done) => (api ? api.server.close(() => done(undefined)) : done(undefined)));
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('npm run image', () => {
  it('uploads a PNG and prints its pufa-image source and the SHA-256 for cover:, which the server then serves', async () => {
    const png = aPng({ width: 90, height: 60, seed: 31 });
    const sha = sha256(png);
    const run = await cli([aFile('cover.png', png), '--api', api.url, '--token', staff]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Kept: ${join(work, 'cover.png')} (image/png, ${png.length} bytes, 90×60)`);
    expect(run.stdout).toContain(`<img src="pufa-image:${sha}">`);
    expect(run.stdout).toContain(`cover: ${sha}`);
    const served = await fetch(`${api.url}/images/${sha}`, { headers: { Authorization: `Bearer ${staff}` } });
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
  });

  it('says a JPEG uploaded twice was already kept', async () => {
    const file = aFile('photo.jpg', aJpeg({ width: 32, height: 24, comment: 'twice' }));
    expect((await cli([file, '--api', api.url, '--token', staff])).stdout).toMatch(/^Kept: /);
    const again = await cli([file, '--api', api.url, '--token', staff]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Already kept: .*\(image\/jpeg, \d+ bytes, 32×24\)/);
  });

  it('refuses a file that is not a JPEG or PNG itself, in Chinese and English, without sending it', async () => {
    const before = uploadRequests().length;
    expect(before).toBeGreaterThan(0);
    const run = await cli([aFile('notes.gif', new TextEncoder().encode('GIF89a not really')), '--api', api.url, '--token', staff]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*notes\.gif: 只接受 JPEG 或 PNG 图片。 Only a JPEG or a PNG image is accepted\.\n$/);
    expect(uploadRequests().length).toBe(before);
  });

  it('reports the server’s refusal of a token that may not upload', async () => {
    const run = await cli([aFile('station.png', aPng({ seed: 32 })), '--api', api.url, '--token', station]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: The server refused .*station\.png \(403\): /);
  });

  it('says so in one line when no server answers, and when the call is wrong', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await cli([aFile('lonely.png', aPng({ seed: 33 })), '--api', closed, '--token', staff]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: Cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const noToken = await cli([join(work, 'lonely.png'), '--api', api.url]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('--token');
    expect(noToken.stderr).toContain('npm run image -- --help');
  });
});
