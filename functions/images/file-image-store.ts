/**
 * @module images/file-image-store
 * Images in the local data folder: `<folder>/images/<sha256>.<jpg|png>` beside `<sha256>.json`
 * (its description). Each file is written under a temporary name and then moved into place, the
 * image before its description: a reader finds either nothing or a whole image, and a crash leaves
 * at most a stray `.tmp`. Two puts of one image at once are both fine: their bytes are the same.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkImageSha, describeImage, fileExtensionOf, type ImageStore, type StoredImage } from './image-store.js';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export class FileImageStore implements ImageStore {
  private readonly dir: string;

  constructor(folder: string) {
    this.dir = join(folder, 'images');
  }

  private descriptionPath(sha256: string): string {
    return join(this.dir, `${checkImageSha(sha256)}.json`);
  }

  private imagePath(image: StoredImage): string {
    return join(this.dir, `${checkImageSha(image.sha256)}.${fileExtensionOf[image.contentType]}`);
  }

  async head(sha256: string): Promise<StoredImage | undefined> {
    try {
      return JSON.parse(await readFile(this.descriptionPath(sha256), 'utf8')) as StoredImage;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(bytes: Uint8Array): Promise<StoredImage> {
    const image = describeImage(bytes);
    const kept = await this.head(image.sha256);
    if (kept) return kept;
    await mkdir(this.dir, { recursive: true });
    // link() refuses a name that exists: of two puts at once one places the file, the other finds
    // it there — with the same bytes, since the name is their hash.
    await this.writeInPlace(this.imagePath(image), bytes, (temporary, target) => link(temporary, target).catch(ignoreExisting));
    await this.writeInPlace(this.descriptionPath(image.sha256), JSON.stringify(image), rename);
    return image;
  }

  async get(sha256: string): Promise<{ bytes: Uint8Array; image: StoredImage } | undefined> {
    const image = await this.head(sha256);
    if (!image) return undefined;
    try {
      const bytes = await readFile(this.imagePath(image));
      return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), image };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Writes beside the target under a unique name, then moves it into place; the temporary name never stays. */
  private async writeInPlace(target: string, data: Uint8Array | string, place: (temporary: string, target: string) => Promise<void>): Promise<void> {
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, data, { flag: 'wx' });
      await place(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
  }
}

function ignoreExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}
