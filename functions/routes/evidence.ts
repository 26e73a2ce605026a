/**
 * @module routes/evidence
 * Evidence for an activity (台账): photos and scanned sign-in sheets, JPEG, PNG or PDF up to 10 MB.
 * Upload in three calls: `POST /activities/{id}/evidence/uploads` gives a form to POST the file to
 * (S3 on AWS, this app's `POST /evidence-uploads` locally), then `POST /activities/{id}/evidence`
 * with the form's key checks it and keeps it. Staff who may change the activity add and remove
 * evidence; whoever may read it lists and opens it. The activity page calls these with its session.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { idSchema, type Role } from '../domain/access.js';
import { evidenceIdSchema, evidenceSchema, evidenceUploadSchema, MAX_EVIDENCE_PER_ACTIVITY } from '../domain/evidence.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import { confirmEvidence, openEvidence, presignEvidence, removeEvidence, type EvidenceDeps } from '../evidence/workflow.js';
import type { AppEnv } from '../http/env.js';
import { jsonBody, jsonResponse, problemResponseSpec, securedOrPageRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { getActivity } from '../workflows/activities.js';
import { tokenOrPageSession } from './page-session.js';

const writers: Role[] = ['staff'];
const readers: Role[] = ['staff', 'county', 'admin'];
const evidence = evidenceSchema.meta({ id: 'Evidence' });
const params = z.object({ id: idSchema.describe('the activity') });
const itemParams = params.extend({ evidenceId: evidenceIdSchema });
const binary = { schema: z.string().meta({ format: 'binary' }) };
const notFound = problemResponseSpec('No such activity or evidence');
const full = problemResponseSpec(`The activity already has ${MAX_EVIDENCE_PER_ACTIVITY} pieces of evidence, or the upload changed while it was checked`);

const uploadFormSchema = z
  .object({
    evidenceId: z.string(),
    upload: z.object({
      url: z.string().describe('POST the form here, as multipart/form-data'),
      fields: z.record(z.string(), z.string()).describe('every one of these fields, in this order, then the file as `file` (last)'),
      key: z.string().describe('what `POST /activities/{id}/evidence` confirms'),
      expiresAt: z.string(),
    }),
  })
  .meta({ id: 'EvidenceUploadForm' });

const presignRoute = securedOrPageRoute(writers, tokenOrPageSession(...writers), {
  method: 'post',
  path: '/activities/{id}/evidence/uploads',
  tags: ['activities'],
  summary: 'A form to upload one piece of evidence to (JPEG, PNG or PDF, at most 10 MB; good for 10 minutes)',
  description:
    'Declare the file: `contentType` (image/jpeg, image/png or application/pdf), `bytes`, `fileName` and `kind` (photo, signin-sheet, other). Then POST the file as multipart/form-data to `upload.url` with every field of `upload.fields` and the file last as `file`; the store refuses another type, another key, more than 10 MB or a lapsed form. Then confirm with `POST /activities/{id}/evidence` `{ "key": upload.key }`.',
  request: { params, body: jsonBody(evidenceUploadSchema) },
  responses: { 201: jsonResponse(uploadFormSchema, 'The form'), 404: notFound, 409: full },
});

const confirmRoute = securedOrPageRoute(writers, tokenOrPageSession(...writers), {
  method: 'post',
  path: '/activities/{id}/evidence',
  tags: ['activities'],
  summary: 'Keep an uploaded file as evidence of the activity, once its bytes are checked',
  description:
    'Its bytes must be what was declared, by their magic numbers (JPEG FF D8 FF, PNG 89 50 4E 47 0D 0A 1A 0A, PDF %PDF-), and at most 10 MB; an image gets a JPEG thumbnail. A file that is not is deleted and refused (400 naming `body.key`). Confirming again an upload already kept answers it with 200.',
  request: { params, body: jsonBody(z.object({ key: z.string().max(300).describe('the `upload.key` of the form') })) },
  responses: { 201: jsonResponse(evidence, 'Kept'), 200: jsonResponse(evidence, 'Already kept'), 404: notFound, 409: full },
});

const listRoute = securedOrPageRoute(readers, tokenOrPageSession(...readers), {
  method: 'get',
  path: '/activities/{id}/evidence',
  tags: ['activities'],
  summary: 'The evidence kept for an activity',
  request: { params },
  responses: { 200: jsonResponse(z.object({ items: z.array(evidence) }), 'The evidence, oldest first'), 404: notFound },
});

const fileResponses = {
  200: { description: 'The file (locally)', content: { 'image/jpeg': binary, 'image/png': binary, 'application/pdf': binary } },
  302: { description: 'On AWS: a link to the file in the bucket, good for 5 minutes' },
  404: notFound,
};

const fileRoute = securedOrPageRoute(readers, tokenOrPageSession(...readers), {
  method: 'get',
  path: '/activities/{id}/evidence/{evidenceId}',
  tags: ['activities'],
  summary: 'A piece of evidence: an image inline, a PDF as a download',
  request: { params: itemParams },
  responses: fileResponses,
});

const thumbnailRoute = securedOrPageRoute(readers, tokenOrPageSession(...readers), {
  method: 'get',
  path: '/activities/{id}/evidence/{evidenceId}/thumbnail',
  tags: ['activities'],
  summary: 'An image’s thumbnail (JPEG, at most 320 px on its long side); a PDF has none (404)',
  request: { params: itemParams },
  responses: fileResponses,
});

const removeRoute = securedOrPageRoute(writers, tokenOrPageSession(...writers), {
  method: 'delete',
  path: '/activities/{id}/evidence/{evidenceId}',
  tags: ['activities'],
  summary: 'Remove a piece of evidence and its files',
  request: { params: itemParams },
  responses: { 200: jsonResponse(evidence, 'Removed'), 404: notFound, 409: problemResponseSpec('Changed by someone else') },
});

async function filesOf(c: Context<AppEnv>): Promise<EvidenceStore> {
  const { evidence: files } = c.var.deps;
  if (!files) throw new Error('This app was built without an evidence store (AppDeps.evidence)');
  return files();
}

async function depsOf(c: Context<AppEnv>): Promise<EvidenceDeps> {
  const { store, config, clock } = c.var.deps;
  return { store, config, now: clock(), files: await filesOf(c) };
}

/** Serves the bytes with the type and disposition pufa decided (never sniffed), or sends the browser to the bucket's link. */
async function serve(c: Context<AppEnv>, which: 'file' | 'thumbnail', id: string, evidenceId: string): Promise<Response> {
  const found = await openEvidence({ store: c.var.deps.store, files: await filesOf(c) }, c.var.caller, id, evidenceId, which);
  if ('url' in found.opened) return c.redirect(found.opened.url, 302);
  return c.body(found.opened.bytes as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': found.contentType,
    'Content-Length': String(found.opened.bytes.byteLength),
    'Content-Disposition': found.disposition,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=300',
  });
}

export function evidenceRoutes() {
  return newRouter()
    .openapi(presignRoute, async (c) => {
      const form = await presignEvidence(await depsOf(c), c.var.caller, c.req.valid('param').id, c.req.valid('json'), new URL(c.req.url).origin);
      return c.json(form, 201);
    })
    .openapi(confirmRoute, async (c) => {
      const { evidence: kept, created } = await confirmEvidence(await depsOf(c), c.var.caller, c.req.valid('param').id, c.req.valid('json').key);
      return c.json(kept, created ? 201 : 200);
    })
    .openapi(listRoute, async (c) => {
      const activity = await getActivity(c.var.deps, c.var.caller, c.req.valid('param').id);
      return c.json({ items: activity.evidence ?? [] }, 200);
    })
    .openapi(fileRoute, async (c) => {
      const { id, evidenceId } = c.req.valid('param');
      return serve(c, 'file', id, evidenceId);
    })
    .openapi(thumbnailRoute, async (c) => {
      const { id, evidenceId } = c.req.valid('param');
      return serve(c, 'thumbnail', id, evidenceId);
    })
    .openapi(removeRoute, async (c) => {
      const { id, evidenceId } = c.req.valid('param');
      return c.json(await removeEvidence(await depsOf(c), c.var.caller, id, evidenceId), 200);
    });
}
