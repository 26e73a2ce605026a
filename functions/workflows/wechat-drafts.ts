/**
 * @module workflows/wechat-drafts
 * An approved WeChat article goes into the account's draft box (草稿箱): its images are uploaded
 * to WeChat (the cover as a permanent image, for thumb_media_id; each body image through
 * uploadimg, whose URL replaces `pufa-image:<sha256>`), then the draft is added, and the reviewer
 * who approved it gets a preview in WeChat when their token names their OpenID. The draft's
 * media_id is what the mass send sends at the scheduled time; it is kept with the approval's
 * fingerprint, so the dispatcher sends only a draft made from the approved article.
 *
 * A draft made for an approval that then loses its conditional write (someone else decided
 * first) stays in the draft box unused: WeChat keeps drafts until deleted, and nothing sends it.
 */
import { maskOpenId } from '../domain/access.js';
import { Invalid, Unavailable } from '../domain/errors.js';
import type { NoticeRecord, WeChatContent } from '../domain/planning.js';
import { articleImages, withWeChatImages } from '../domain/wechat-article.js';
import { WeChatApiError, WeChatBadAnswer, WeChatUnreachable } from '../wechat/errors.js';
import type { WeChatChannel } from '../wechat/channel.js';

/** What the draft needs of the image store (functions/images). */
export interface ArticleImages {
  get(sha256: string): Promise<{ bytes: Uint8Array; image: { contentType: string } } | undefined>;
}

export type WeChatDraft = NonNullable<NoticeRecord['wechatDraft']>;

/** Makes the draft; a WeChat failure is a 503 naming WeChat's answer (nothing is approved). */
export async function makeWeChatDraft(
  channel: WeChatChannel,
  images: ArticleImages,
  article: WeChatContent,
  context: { contentHash: string; now: Date; previewTo?: string | undefined },
): Promise<WeChatDraft> {
  const { client } = channel;
  const wanted = articleImages(article);
  const read = async (sha: string, field: string) => {
    const found = await images.get(sha);
    if (!found) throw new Invalid(`The image ${sha.slice(0, 12)}… is not uploaded to pufa: upload it again (POST /images).`, [{ field, message: 'no uploaded image with this SHA-256' }]);
    return found;
  };
  const fileName = (sha: string, contentType: string) => `${sha.slice(0, 16)}.${contentType === 'image/png' ? 'png' : 'jpg'}`;
  let mediaId: string;
  try {
    const cover = await read(wanted.cover, 'notice.wechat.cover');
    const thumb = await client.addImageMaterial(cover.bytes, fileName(wanted.cover, cover.image.contentType), cover.image.contentType);
    const urls = new Map<string, string>();
    for (const sha of wanted.body) {
      const image = await read(sha, 'notice.wechat.body');
      urls.set(sha, await client.uploadArticleImage(image.bytes, fileName(sha, image.image.contentType), image.image.contentType));
    }
    mediaId = await client.addDraft([
      {
        title: article.title,
        ...(article.author ? { author: article.author } : {}),
        ...(article.digest ? { digest: article.digest } : {}),
        content: withWeChatImages(article.body, urls),
        ...(article.sourceUrl ? { contentSourceUrl: article.sourceUrl } : {}),
        thumbMediaId: thumb.mediaId,
      },
    ]);
  } catch (error) {
    throw asUnavailable(error, 'The article could not be put in the WeChat draft box');
  }
  const draft: WeChatDraft = { mediaId, contentHash: context.contentHash, madeAt: context.now.toISOString() };
  if (!context.previewTo) return draft;
  // The preview is for the reviewer's eyes: its failure is recorded on the notice and shown, not fatal.
  try {
    await client.previewToOpenId(context.previewTo, mediaId);
    return { ...draft, preview: { at: context.now.toISOString(), to: maskOpenId(context.previewTo) } };
  } catch (error) {
    return { ...draft, preview: { at: context.now.toISOString(), to: maskOpenId(context.previewTo), error: describe(error) } };
  }
}

/** WeChat's own words for a failure (errcode and errmsg), or what kept pufa from hearing them. */
export function describe(error: unknown): string {
  if (error instanceof WeChatApiError) return `WeChat ${error.errcode}: ${error.errmsg}`.slice(0, 300);
  if (error instanceof WeChatUnreachable || error instanceof WeChatBadAnswer) return error.message.slice(0, 300);
  return error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
}

function asUnavailable(error: unknown, what: string): Error {
  if (error instanceof Invalid) return error;
  if (error instanceof WeChatApiError || error instanceof WeChatUnreachable || error instanceof WeChatBadAnswer) {
    return new Unavailable(`${what}: ${describe(error)}. Nothing was approved; try again.`, 30, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
