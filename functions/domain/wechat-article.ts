/**
 * @module domain/wechat-article
 * A WeChat official-account article (图文消息) as pufa keeps it, reviews it and hands it to the
 * draft box (草稿箱): title, author, digest, the body as sanitised rich text, the cover image and
 * the source link. Pure.
 *
 * WeChat's draft/add takes HTML and strips scripts itself, but what the reviewer approves must be
 * exactly what goes out, so pufa sanitises the body first, with an allow-list (js-xss), and keeps
 * the sanitised HTML: the review sees it, the fingerprint covers it, the draft box gets it. What
 * the allow-list removes is reported, so staff see why their text changed.
 *
 * Limits as WeChat's documentation gives them (draft/add and draft/get, read 2026-12): the body
 * under 20,000 characters and under 1 MB; images in the body only from WeChat's own image upload
 * (其他外部图片会被过滤); a digest of at most 120 characters (WeChat takes the body's first 54 when
 * none is given).
 */
import * as xssModule from 'xss';
import { z } from 'zod';
import { visibleText } from './text.js';

export const WECHAT_BODY_MAX_CHARACTERS = 20_000;
export const WECHAT_BODY_MAX_BYTES = 1_000_000;

/**
 * Images a body may show: WeChat's own image hosts (what the upload answers with), or an image
 * uploaded to pufa and not yet to WeChat (`pufa-image:<SHA-256>`), replaced by its WeChat URL when
 * the draft is made.
 */
const IMAGE_SOURCE = /^(?:https:\/\/mmbiz\.(?:qpic|qlogo)\.cn\/[^"'\s<>`]+|pufa-image:[0-9a-f]{64})$/;
/** Links WeChat lets an article body carry: to other official-account articles. */
const LINK_TARGET = /^https:\/\/mp\.weixin\.qq\.com\//;

/** Inline styles kept: how text looks, never where it goes or what it loads. */
const STYLE_PROPERTIES = ['color', 'background-color', 'font-size', 'font-weight', 'font-style', 'text-align', 'text-decoration', 'line-height', 'letter-spacing', 'margin', 'margin-top', 'margin-bottom', 'padding', 'text-indent'];

const textTags = ['p', 'br', 'span', 'section', 'strong', 'b', 'em', 'i', 'u', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'ul', 'ol', 'li', 'hr', 'table', 'thead', 'tbody', 'tr', 'td', 'th'];
const allowList: IWhiteList = {
  ...Object.fromEntries(textTags.map((tag) => [tag, ['style']])),
  img: ['src', 'alt', 'style'],
  a: ['href'],
};

// js-xss is CommonJS: under Node's ESM loader its functions sit on the default export, under
// esbuild's and vitest's interop on the namespace too.
const xss = (xssModule as unknown as { default?: typeof xssModule }).default ?? xssModule;
const { FilterXSS, escapeAttrValue, friendlyAttrValue, safeAttrValue: xssSafeAttrValue } = xss;
type IWhiteList = xssModule.IWhiteList;

/** Tags dropped with everything inside them. */
const DROPPED_WITH_CONTENT = ['script', 'style', 'iframe', 'object', 'embed', 'noscript', 'template'];

export interface SanitisedBody {
  html: string;
  /** What was taken out, for people (e.g. 外部图片 https://… 已去掉). */
  removed: string[];
}

/** The body as it will be approved and sent: allowed tags, attributes and styles only. */
export function sanitiseArticleBody(html: string): SanitisedBody {
  const removed = new Set<string>();
  for (const [, tag] of html.matchAll(new RegExp(`<(${DROPPED_WITH_CONTENT.join('|')})\\b`, 'gi'))) removed.add(`<${(tag ?? '').toLowerCase()}> 标签及其内容`);
  const filter = new FilterXSS({
    whiteList: allowList,
    stripIgnoreTagBody: DROPPED_WITH_CONTENT,
    css: { whiteList: Object.fromEntries(STYLE_PROPERTIES.map((property) => [property, true])) },
    onTag: (tag, source, options) => {
      // An image WeChat would filter out, or a link it does not allow, goes whole (not as an empty tag).
      if (tag !== 'img' || options.isClosing) return undefined;
      const src = friendlyAttrValue(source.match(/\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i)?.slice(1).find((value) => value !== undefined) ?? '').trim();
      if (IMAGE_SOURCE.test(src)) return undefined;
      removed.add(src ? `外部图片 ${src.slice(0, 80)}（只能用上传的图片）` : '没有地址的图片');
      return '';
    },
    // A tag not allowed goes (its text stays), and is reported.
    onIgnoreTag: (tag) => {
      removed.add(`<${tag}> 标签`);
      return '';
    },
    onIgnoreTagAttr: (tag, name) => {
      removed.add(`<${tag}> 的 ${name} 属性`);
      return '';
    },
    safeAttrValue: (tag, name, value, cssFilter) => {
      if (tag === 'a' && name === 'href' && !LINK_TARGET.test(value.trim())) {
        removed.add(`链接 ${value.slice(0, 80)}（正文只能链接公众号文章）`);
        return '';
      }
      // Escaped as every attribute value is: the address may carry nothing that ends the attribute.
      if (tag === 'img' && name === 'src') return IMAGE_SOURCE.test(value.trim()) ? escapeAttrValue(value.trim()) : '';
      return xssSafeAttrValue(tag, name, value, cssFilter);
    },
  });
  return { html: filter.process(html).trim(), removed: [...removed] };
}

/** Visible characters of the body (tags and entities aside), as WeChat counts its 20,000. */
export function bodyCharacters(html: string): number {
  const text = html.replace(/<[^>]*>/g, '').replace(/&(?:#\d+|#x[0-9a-f]+|[a-z]+);/gi, '_');
  return Array.from(text).length;
}

const httpsUrl = z
  .string()
  .trim()
  .max(1000)
  .refine((value) => /^https:\/\/[^\s]+$/.test(value), 'must be an https:// address');

/** An image pufa keeps (uploaded by staff), by the SHA-256 of its bytes. */
export const imageRefSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be an uploaded image (its SHA-256)');

/** The article's fields as staff write them (composer, plan file), before sanitising. */
export const wechatArticleFields = {
  title: visibleText(64).describe('the article’s title'),
  author: visibleText(16).optional(),
  digest: visibleText(120, { min: 0 }).optional().describe('the summary under the title in chats (default: the body’s first 54 characters)'),
  body: z.string().min(1).max(200_000).describe('rich text (HTML): text, headings, lists, tables, images uploaded to pufa (pufa-image:<sha256>)'),
  cover: imageRefSchema.describe('the cover image, uploaded to pufa (JPEG or PNG): its SHA-256'),
  sourceUrl: httpsUrl.optional().describe('阅读原文: the link under the article'),
};

/** What WeChat would refuse of a body once sanitised: empty, too long, too big. */
export function articleBodyProblems(body: string): string[] {
  const { html } = sanitiseArticleBody(body);
  const characters = bodyCharacters(html);
  const problems: string[] = [];
  if (characters === 0) problems.push('has no text left once sanitised');
  if (characters >= WECHAT_BODY_MAX_CHARACTERS) problems.push(`is ${characters} characters; WeChat takes fewer than ${WECHAT_BODY_MAX_CHARACTERS}`);
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes >= WECHAT_BODY_MAX_BYTES) problems.push(`is ${bytes} bytes; WeChat takes under 1 MB`);
  return problems;
}

/** The article as staff write it (composer, plan file), before sanitising. */
export const wechatArticleSchema = z.object(wechatArticleFields).superRefine((article, context) => {
  for (const message of articleBodyProblems(article.body)) context.addIssue({ code: 'custom', path: ['body'], message });
});
export type WeChatArticleInput = z.infer<typeof wechatArticleSchema>;

/** The images an article uses: its cover and every `pufa-image:` in its body, each once. */
export function articleImages(article: { body: string; cover: string }): { cover: string; body: string[] } {
  const body = [...new Set([...article.body.matchAll(/pufa-image:([0-9a-f]{64})/g)].map((match) => match[1] ?? ''))];
  return { cover: article.cover, body };
}

/** The body with each `pufa-image:<sha256>` replaced by its WeChat URL (uploadimg's answer). */
export function withWeChatImages(body: string, urls: ReadonlyMap<string, string>): string {
  return body.replace(/pufa-image:([0-9a-f]{64})/g, (whole, sha: string) => {
    const url = urls.get(sha);
    if (url === undefined) throw new Error(`No WeChat URL for image ${sha}`);
    return url;
  });
}
