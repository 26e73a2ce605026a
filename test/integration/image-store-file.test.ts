/**
 * The local image store on a real folder: an image goes in as `images/<sha256>.<png|jpg>` beside
 * its description and comes out byte for byte; many puts of one image at once keep one copy and
 * leave nothing half written; a put that died halfway is finished by the next.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileImageStore } from '../../functions/images/file-image-store.js';
import { describeImage, ImageRefused } from '../../functions/images/image-store.js';
import { aJpeg, aPng } from '../support/images.js';

const dirs: string[] = [];
const aFolder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pufa-images-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the local image store', () => {
  it('keeps a PNG and a JPEG under their SHA-256s, with their descriptions, and gives them back', async () => {
    const folder = aFolder();
    const store = new FileImageStore(folder);
    const png = aPng({ width: 7, height: 5 });
    const jpeg = aJpeg({ width: 24, height: 16 });
    const [pngImage, jpegImage] = [describeImage(png), describeImage(jpeg)];
    expect(await store.put(png)).toEqual(pngImage);
    expect(await store.put(jpeg)).toEqual(jpegImage);
    expect(readdirSync(join(folder, 'images')).sort()).toEqual(
      [`${pngImage.sha256}.png`, `${pngImage.sha256}.json`, `${jpegImage.sha256}.jpg`, `${jpegImage.sha256}.json`].sort(),
    );
    expect(new Uint8Array(readFileSync(join(folder, 'images', `${jpegImage.sha256}.jpg`)))).toEqual(jpeg);
    expect(await store.head(pngImage.sha256)).toEqual(pngImage);
    expect(await store.get(jpegImage.sha256)).toEqual({ bytes: jpeg, image: jpegImage });
    // Another store on the same folder (another process: the CLI, the server) finds them too.
    expect(await new FileImageStore(folder).get(pngImage.sha256)).toEqual({ bytes: png, image: pngImage });
  });

  it('answers nothing for an image it does not keep, and refuses a name that is not a SHA-256', async () => {
    const store = new FileImageStore(aFolder());
    expect(await store.head('cd'.repeat(32))).toBeUndefined();
    expect(await store.get('cd'.repeat(32))).toBeUndefined();
    await expect(store.get('../../etc/passwd')).rejects.toThrow(RangeError);
  });

  it('keeps one copy when many puts of the same image run at once, and leaves no temporary file', async () => {
    const folder = aFolder();
    const png = aPng({ width: 64, height: 64, seed: 9 });
    const image = describeImage(png);
    // Separate stores, as separate requests or processes would have.
    const answers = await Promise.all(Array.from({ length: 24 }, () => new FileImageStore(folder).put(png)));
    expect(answers.every((answer) => JSON.stringify(answer) === JSON.stringify(image))).toBe(true);
    expect(readdirSync(join(folder, 'images')).sort()).toEqual([`${image.sha256}.json`, `${image.sha256}.png`]);
    expect(new Uint8Array(readFileSync(join(folder, 'images', `${image.sha256}.png`)))).toEqual(png);
    expect(JSON.parse(readFileSync(join(folder, 'images', `${image.sha256}.json`), 'utf8'))).toEqual(image);
  });

  it('says nothing is kept while only the image file is there (a put that died), and the next put finishes it', async () => {
    const folder = aFolder();
    const png = aPng({ seed: 4 });
    const image = describeImage(png);
    mkdirSync(join(folder, 'images'));
    writeFileSync(join(folder, 'images', `${image.sha256}.png`), png);
    const store = new FileImageStore(folder);
    expect(await store.head(image.sha256)).toBeUndefined();
    expect(await store.put(png)).toEqual(image);
    expect(await store.get(image.sha256)).toEqual({ bytes: png, image });
  });

  it('writes nothing for bytes that are not an image', async () => {
    const folder = aFolder();
    await expect(new FileImageStore(folder).put(new TextEncoder().encode('GIF89a, or rather not'))).rejects.toBeInstanceOf(ImageRefused);
    expect(readdirSync(folder)).toEqual([]);
  });
});
