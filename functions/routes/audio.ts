/**
 * @module routes/audio
 * `GET /audio/{key}.mp3?expires=…&sig=…`: a broadcast's recording, for the signed links a local
 * install hands out (speech/file-audio-store). On AWS recordings are fetched from S3 with presigned
 * links and this route has nothing to serve (404). The link is the key: no token is asked for, and
 * one that is forged, altered or past its time gets 401.
 */
import { z } from 'zod';
import { NotFound, Unauthenticated } from '../domain/errors.js';
import { signedLinkRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { FileAudioStore } from '../speech/file-audio-store.js';

const audioRoute = signedLinkRoute({
  method: 'get',
  path: '/audio/{file}',
  tags: ['stations'],
  summary: 'A broadcast’s recording (MP3) by the signed link in a script or notice (local installs)',
  request: {
    params: z.object({ file: z.string().regex(/^[0-9a-f]{64}\.mp3$/, 'must be <SHA-256 key>.mp3').describe('the recording’s key and .mp3') }),
    query: z.object({ expires: z.string().max(20).optional(), sig: z.string().max(100).optional() }),
  },
  responses: {
    200: { description: 'The MP3', content: { 'audio/mpeg': { schema: z.string() } } },
    404: { description: 'No such recording here' },
  },
});

export function audioRoutes() {
  return newRouter().openapi(audioRoute, async (c) => {
    const key = c.req.valid('param').file.slice(0, 64);
    const { expires = '', sig = '' } = c.req.valid('query');
    const { audio } = await c.var.deps.speech();
    if (!(audio instanceof FileAudioStore)) throw new NotFound('Recordings are served from their store’s own links here.');
    if (!audio.verify(key, expires, sig)) throw new Unauthenticated('This recording link is not valid or has lapsed: open the script or the notice again for a fresh one.');
    const kept = await audio.get(key);
    if (!kept) throw new NotFound('No such recording.');
    return c.body(kept.mp3 as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'audio/mpeg',
      'Content-Length': String(kept.mp3.byteLength),
      // The link lapses; the bytes under a key never change.
      'Cache-Control': 'private, max-age=900, immutable',
      'Referrer-Policy': 'no-referrer',
    });
  });
}
