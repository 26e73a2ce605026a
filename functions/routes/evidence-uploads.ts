/**
 * @module routes/evidence-uploads
 * `POST /evidence-uploads`: where a local install's upload forms point (evidence/file-evidence-store),
 * standing in for S3's presigned POST. The form's signed fields are the key: no token is asked for;
 * a form forged, altered or past its time gets 401. As S3 does, it refuses a file over the form's
 * limit (10 MB) or none at all, naming the field, and writes nothing. On AWS the forms point at S3
 * and this route has nothing to take (404).
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Invalid, NotFound, Unauthenticated } from '../domain/errors.js';
import { MAX_EVIDENCE_BYTES } from '../domain/evidence.js';
import { FileEvidenceStore, LOCAL_UPLOAD_PATH } from '../evidence/file-evidence-store.js';
import type { AppEnv } from '../http/env.js';
import { problemResponse } from '../http/problem.js';
import { problemResponseSpec } from '../http/route.js';
import { newRouter } from '../http/router.js';

/** Room for the form's fields and the multipart framing around a file of the largest size. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

const uploadRoute = createRoute({
  method: 'post',
  path: LOCAL_UPLOAD_PATH,
  tags: ['activities'],
  summary: 'Upload a piece of evidence with the form `POST /activities/{id}/evidence/uploads` gave (local installs)',
  description: 'The body is multipart/form-data: every field of the form’s `fields`, then the file as `file` (not described as a schema here: it is read as the form S3 takes, not validated as JSON). Opened by the form’s signature, which lapses after 10 minutes; API tokens are not needed here.',
  'x-pufa-roles': 'signed-link',
  responses: {
    204: { description: 'Kept, as S3 answers a presigned POST' },
    400: problemResponseSpec('No file, or a file over the form’s limit (`errors` names `file`)'),
    401: problemResponseSpec('No valid or live signed form'),
    404: problemResponseSpec('Not a local install: upload to the form’s own url'),
    413: problemResponseSpec('Body over 10 MB and the form'),
  },
});

function tooLarge(c: Context<AppEnv>): Response {
  const message = `文件超过 10 MB。 The file is over ${MAX_EVIDENCE_BYTES} bytes (10 MB).`;
  return problemResponse(c, 'payload-too-large', message, { errors: [{ field: 'file', message }] });
}

export function evidenceUploadRoutes() {
  const router = newRouter();
  // Before anything is read: a body far over the limit is refused unread. The app's own limit leaves this path to this one (app.ts).
  router.use(LOCAL_UPLOAD_PATH, bodyLimit({ maxSize: MAX_EVIDENCE_BYTES + FORM_OVERHEAD_BYTES, onError: tooLarge }));
  return router.openapi(uploadRoute, async (c) => {
    const { evidence, clock } = c.var.deps;
    const files = evidence ? await evidence() : undefined;
    if (!(files instanceof FileEvidenceStore)) throw new NotFound('Evidence is uploaded to the form’s own url here.');
    // A body that is not a form carries no signed fields: as unauthenticated as a wrong signature.
    const form = await c.req.parseBody().catch((error: unknown) => {
      throw new Unauthenticated(`No signed upload form in the body (${error instanceof Error ? error.message : String(error)}).`);
    });
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(form)) if (typeof value === 'string') fields[name] = value;
    const file = form.file instanceof File ? new Uint8Array(await form.file.arrayBuffer()) : undefined;
    try {
      await files.acceptUpload(fields, file, clock());
    } catch (error) {
      // A form that is not pufa's, or lapsed, opens nothing (401); what S3 would refuse of a good form is a 400 naming the field.
      if (error instanceof Invalid && error.fields.some((field) => field.field === 'signature' || field.field === 'expires')) throw new Unauthenticated(error.message);
      throw error;
    }
    return c.body(null, 204);
  });
}
