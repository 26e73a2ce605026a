/**
 * @module routes/stations
 * Village broadcast stations (村村通广播站). A station pulls its own scripts — today's and
 * upcoming, in air order, until each one's air window closes — and confirms each airing, once,
 * possibly late and with the actual air time. Each pull records the station's last contact, so
 * the county can see which stations have not fetched today's scripts. A station with a push
 * endpoint also gets each script pushed through SNS; its receiver reports each push it received
 * (`POST /stations/me/pushes`) and confirms airings as the page does.
 */
import { z } from 'zod';
import { Forbidden } from '../domain/errors.js';
import { deliveryIdSchema, type DeliveryRecord } from '../domain/delivery.js';
import { utcToLocal } from '../domain/schedule.js';
import { jsonBody, jsonResponse, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { pushModes, subscriptionStates } from '../domain/station-push.js';
import { recordingLinks } from '../speech/audio-store.js';
import { recordPushReceipt } from '../workflows/station-pushes.js';
import { confirmAiring, scriptsOfStation, stationContacts } from '../workflows/stations.js';
import type { AppEnv } from '../http/env.js';
import type { Context } from 'hono';

const scriptSchema = z
  .object({
    id: z.string(),
    title: z.string().optional(),
    text: z.string(),
    airAt: z.string().describe('UTC'),
    airAtLocal: z.string(),
    airWindows: z.array(z.object({ from: z.string(), to: z.string() })),
    repeats: z.number(),
    availableUntil: z.string(),
    aired: z.boolean(),
    airedAt: z.string().optional(),
    audio: z
      .object({
        url: z.string().describe('the MP3 (audio/mpeg); a short-lived link (15 minutes): fetch it when the script arrives'),
        sha256: z.string().describe('SHA-256 (hex) of the MP3: check the download against it'),
        durationSeconds: z.number().describe('one reading'),
      })
      .optional()
      .describe('the recording the reviewer approved (broadcasts submitted since recordings exist)'),
  })
  .meta({ id: 'StationScript' });

const scriptsRoute = securedRoute(['station'], {
  method: 'get',
  path: '/stations/me/scripts',
  tags: ['stations'],
  summary: 'This station’s scripts still to air, in air order',
  responses: { 200: jsonResponse(z.object({ stationId: z.string(), items: z.array(scriptSchema) }), 'Scripts') },
});

const airedRoute = securedRoute(['station'], {
  method: 'post',
  path: '/stations/me/scripts/{id}/aired',
  tags: ['stations'],
  summary: 'Confirm that a script was aired (idempotent: a repeated confirmation counts once)',
  request: {
    params: z.object({ id: deliveryIdSchema }),
    body: { ...jsonBody(z.object({ airedAt: z.iso.datetime({ offset: true }).optional().describe('when it actually aired; default now') })), required: false },
  },
  responses: {
    200: jsonResponse(scriptSchema, 'Recorded (or already was)'),
    404: problemResponseSpec('No such script for this station'),
    409: problemResponseSpec('The script was cancelled, expired or failed: it cannot be confirmed'),
  },
});

const pushReceiptRoute = securedRoute(['station'], {
  method: 'post',
  path: '/stations/me/pushes',
  tags: ['stations'],
  summary: 'The station’s receiver reports a pushed script it received (after checking SNS’s signature)',
  description: 'What a receiver sends once it has verified and stored a pushed script, before airing it: pufa then knows the push arrived, not only that SNS took it.',
  request: {
    body: jsonBody(
      z.object({
        scriptId: deliveryIdSchema.describe('the pushed script’s `id`'),
        receivedAt: z.iso.datetime({ offset: true }).optional().describe('when the receiver got it; default now'),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ scriptId: z.string(), receivedAt: z.string() }), 'Recorded'),
    404: problemResponseSpec('No such script for this station'),
  },
});

const stationView = z
  .object({
    id: z.string(),
    name: z.string(),
    village: z.string(),
    lastContactAt: z.string().optional(),
    contactedToday: z.boolean(),
    push: z.object({
      mode: z.enum(pushModes).describe('subscribed: SNS pushes to its receiver; pending: waiting for the receiver to confirm; failed: see error; pulling: the station fetches its scripts'),
      endpoint: z.string().optional(),
      state: z.enum(subscriptionStates).optional(),
      error: z.string().optional(),
      subscribedAt: z.string().optional(),
      confirmedAt: z.string().optional(),
    }),
    lastPushReceivedAt: z.string().optional().describe('the last push its receiver reported receiving'),
    lastAiringConfirmedAt: z.string().optional().describe('the last airing it confirmed'),
  })
  .meta({ id: 'StationStatus' });

const listStationsRoute = securedRoute(['admin', 'county', 'staff'], {
  method: 'get',
  path: '/stations',
  tags: ['stations'],
  summary: 'Stations with their last contact, whether they fetched today’s scripts, and how scripts reach them (push or pull)',
  responses: { 200: jsonResponse(z.object({ items: z.array(stationView) }), 'Stations') },
});

function stationOf(c: Context<AppEnv>): string {
  const stationId = c.var.caller.stationId;
  if (!stationId) throw new Forbidden('This token is not a station’s.');
  return stationId;
}

/** Scripts as the station reads them, each with a fresh link to its recording (absolute, on this API's address when local). */
async function views(c: Context<AppEnv>, deliveries: readonly DeliveryRecord[]) {
  const links = await recordingLinks(c.var.deps.speech, deliveries.map((delivery) => delivery.script?.audio));
  return deliveries.map((delivery) => {
    const recording = delivery.script?.audio;
    const url = recording && links.get(recording.key);
    return {
      ...fields(delivery, c.var.deps.config.timeZone),
      ...(recording && url ? { audio: { url: new URL(url, c.req.url).toString(), sha256: recording.sha256, durationSeconds: recording.durationSeconds } } : {}),
    };
  });
}

function fields(delivery: DeliveryRecord, timeZone: string) {
  return {
    id: delivery.id,
    ...(delivery.script?.title ? { title: delivery.script.title } : {}),
    text: delivery.script?.text ?? '',
    airAt: delivery.scheduledAt,
    airAtLocal: utcToLocal(delivery.scheduledAt, timeZone),
    airWindows: delivery.script?.airWindows ?? [],
    repeats: delivery.script?.repeats ?? 1,
    availableUntil: delivery.availableUntil ?? delivery.scheduledAt,
    aired: delivery.state === 'aired',
    ...(delivery.airedAt ? { airedAt: delivery.airedAt } : {}),
  };
}

export function stationRoutes() {
  return newRouter()
    .openapi(scriptsRoute, async (c) => {
      const stationId = stationOf(c);
      const { store, clock, config } = c.var.deps;
      const scripts = await scriptsOfStation({ store, config, now: clock() }, c.var.caller.county, stationId);
      return c.json({ stationId, items: await views(c, scripts) }, 200);
    })
    .openapi(airedRoute, async (c) => {
      const stationId = stationOf(c);
      const { id } = c.req.valid('param');
      const body = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : {};
      const { store, clock, config } = c.var.deps;
      const result = await confirmAiring({ store, config, now: clock() }, c.var.caller.county, stationId, id, body.airedAt ? new Date(body.airedAt) : undefined);
      const [view] = await views(c, [result.record]);
      return c.json(view ?? fields(result.record, config.timeZone), 200);
    })
    .openapi(pushReceiptRoute, async (c) => {
      const stationId = stationOf(c);
      const { scriptId, receivedAt } = c.req.valid('json');
      const { store, clock } = c.var.deps;
      const recorded = await recordPushReceipt({ store, now: clock() }, c.var.caller.county, stationId, scriptId, receivedAt ? new Date(receivedAt) : undefined);
      return c.json({ scriptId, receivedAt: recorded.receivedAt }, 200);
    })
    .openapi(listStationsRoute, async (c) => {
      const { store, clock, config, stationSubscriptions } = c.var.deps;
      return c.json({ items: await stationContacts({ store, config, now: clock(), subscriptions: stationSubscriptions }, c.var.caller.county) }, 200);
    });
}
