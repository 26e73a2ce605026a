/**
 * @module routes/images
 * Images for WeChat articles. `POST /images` takes the raw bytes of a JPEG or a PNG under 1 MB and
 * keeps them by their SHA-256 (201; 200 when already kept): an article then names the image as
 * `cover: <sha256>` or `<img src="pufa-image:<sha256>">`. `GET /images/{sha256}` gives the bytes
 * back to a token, or to a page of this origin by its session (an `<img>` sends no token).
 */
import { z } from 'zod';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Role } from '../domain/access.js';
import { NotFound } from '../domain/errors.js';
import type { AppEnv } from '../http/env.js';
import { problemResponse } from '../http/problem.js';
import { jsonResponse, problemResponseSpec, securedOrPageRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { ImageRefused, imageSource, MAX_IMAGE_BYTES, type ImageContentType, type ImageStore } from '../images/image-store.js';
import { uploadImage } from '../images/upload.js';
import { tokenOrPageSession } from './page-session.js';

/** Who writes and checks articles: staff (a township's too: an image is no township's data) and reviewers. */
const IMAGE_ROLES = ['staff', 'reviewer'] as const satisfies readonly Role[];
const CONTENT_TYPES: readonly ImageContentType[] = ['image/jpeg', 'image/png'];
/** The bytes under a SHA-256 never change; a day is long enough for a page, short enough for a revoked token's browser. */
const CACHE_CONTROL = 'private, max-age=86400';

const imageSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('what an article’s `cover:` names'),
    contentType: z.enum(['image/jpeg', 'image/png']),
    bytes: z.number().int().min(1).max(MAX_IMAGE_BYTES - 1),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    src: z.string().describe('what an article’s HTML puts in `<img src="…">`: `pufa-image:<sha256>`'),
  })
  .meta({ id: 'KeptImage' });
const binary = { schema: z.string().meta({ format: 'binary' }) };
const shaParams = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 as 64 lowercase hex digits').describe('the image’s SHA-256') });

// The composer uploads with its page's session: a request of this origin only (its Origin header, which a browser sets on every POST), so another site cannot upload in a user's name.
const uploadRoute = securedOrPageRoute(IMAGE_ROLES, tokenOrPageSession(...IMAGE_ROLES), {
  method: 'post',
  path: '/images',
  tags: ['images'],
  summary: 'Keep an image for WeChat articles (JPEG or PNG under 1 MB), by its SHA-256',
  description:
    'Send the image itself as the body, with `Content-Type: image/jpeg` or `image/png`. An article names it as `cover: <sha256>` or in its HTML as `<img src="pufa-image:<sha256>">`. Uploading the same image again changes nothing (200).',
  request: { body: { required: true, content: { 'image/jpeg': binary, 'image/png': binary } } },
  responses: {
    201: jsonResponse(imageSchema, 'Kept now'),
    200: jsonResponse(imageSchema, 'Already kept'),
    415: problemResponseSpec('Not sent as image/jpeg or image/png'),
  },
});

const imageRoute = securedOrPageRoute(IMAGE_ROLES, tokenOrPageSession(...IMAGE_ROLES), {
  method: 'get',
  path: '/images/{sha256}',
  tags: ['images'],
  summary: 'A kept image’s bytes, by its SHA-256',
  request: { params: shaParams },
  responses: {
    200: { description: 'The image', content: { 'image/jpeg': binary, 'image/png': binary } },
    404: problemResponseSpec('No image kept under this SHA-256'),
  },
});

/** 413 naming the body, in both languages. */
function tooLarge(c: Context<AppEnv>): Response {
  const { zh, en } = new ImageRefused('too-large');
  return problemResponse(c, 'payload-too-large', `${zh} ${en}`, { errors: [{ field: 'body', message: `${zh} ${en}` }] });
}

async function imagesOf(c: Context<AppEnv>): Promise<ImageStore> {
  const { images } = c.var.deps;
  if (!images) throw new Error('This app was built without an image store (AppDeps.images)');
  return images();
}

function declaredType(c: Context<AppEnv>): ImageContentType {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const declared = CONTENT_TYPES.find((candidate) => candidate === type);
  if (!declared) throw new HTTPException(415, { message: 'Send the image itself with Content-Type: image/jpeg or image/png. 请以 image/jpeg 或 image/png 发送图片本身。' });
  return declared;
}

export function imageRoutes() {
  const router = newRouter();
  // Before the token is looked up: a body over the limit is refused unread (413), so an image
  // `describeImage` finds too large never gets this far. The app's own limit
  // (PUFA_BODY_LIMIT_BYTES) leaves this path to this one (app.ts).
  router.use('/images', bodyLimit({ maxSize: MAX_IMAGE_BYTES - 1, onError: tooLarge }));
  return router
    .openapi(uploadRoute, async (c) => {
      const declared = declaredType(c);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const { deps } = c.var;
      const upload = { images: await imagesOf(c), store: deps.store, now: deps.clock(), timeZone: deps.config.timeZone };
      const { image, created } = await uploadImage(upload, c.var.caller, bytes, declared);
      return c.json({ ...image, src: imageSource(image.sha256) }, created ? 201 : 200);
    })
    .openapi(imageRoute, async (c) => {
      const kept = await (await imagesOf(c)).get(c.req.valid('param').sha256);
      if (!kept) throw new NotFound('No image is kept under this SHA-256.');
      return c.body(kept.bytes as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': kept.image.contentType,
        'Content-Length': String(kept.bytes.byteLength),
        'Cache-Control': CACHE_CONTROL,
        'X-Content-Type-Options': 'nosniff',
      });
    });
}
