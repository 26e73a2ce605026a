/**
 * @module images/upload
 * A staff member or reviewer hands pufa an image for an article: it is checked (JPEG or PNG, under
 * 1 MB, the type it was sent as), kept by its SHA-256, and the upload is recorded with who made it.
 */
import { actorOfCaller, auditEntry } from '../domain/audit.js';
import type { Caller } from '../domain/access.js';
import { Invalid } from '../domain/errors.js';
import type { Store } from '../store/index.js';
import { describeImage, type ImageContentType, type ImageStore, type StoredImage } from './image-store.js';

export interface UploadDeps {
  images: ImageStore;
  store: Pick<Store, 'audit'>;
  now: Date;
  timeZone: string;
}

/**
 * Keeps `bytes`, sent as `declared`; `created` is false when the image was already kept. Two
 * uploads of one image at the same moment may both hear `created`: one copy is kept either way.
 */
export async function uploadImage(deps: UploadDeps, caller: Caller, bytes: Uint8Array, declared: ImageContentType): Promise<{ image: StoredImage; created: boolean }> {
  const described = describeImage(bytes);
  if (described.contentType !== declared) {
    const message = `图片内容是 ${described.contentType}，与 Content-Type ${declared} 不符。 The bytes are ${described.contentType}, not the ${declared} the Content-Type says.`;
    throw new Invalid(message, [{ field: 'body', message }]);
  }
  const created = (await deps.images.head(described.sha256)) === undefined;
  const image = await deps.images.put(bytes);
  // Who uploaded what: an image may end up in an article sent to every follower.
  if (created) {
    await deps.store.audit.file(
      auditEntry({ county: caller.county, actor: actorOfCaller(caller), action: 'image.upload', subject: { kind: 'image', id: image.sha256 }, after: { ...image }, now: deps.now, timeZone: deps.timeZone }),
    );
  }
  return { image, created };
}
