/**
 * @module domain/approval
 * What a reviewer approves is exactly what goes out. At approval the rendered content — the SMS
 * text after template, signature and opt-out hint, or the broadcast script with its title, air
 * windows, repeats and the SHA-256 of its recording — is fingerprinted (SHA-256) and kept with the review. Scheduling refuses a
 * notice whose content now renders differently, and the dispatcher refuses to send content whose
 * fingerprint is not the approved one. Pure.
 */
import { createHash } from 'node:crypto';
import type { AirWindow } from './broadcast.js';
import type { BroadcastContent, WeChatContent } from './planning.js';

/** The content that reaches people, in the shape the dispatcher holds it. */
export type SentContent =
  | { channel: 'sms'; text: string }
  | { channel: 'broadcast'; script: StationScript }
  | { channel: 'wechat'; article: WeChatContent };

/** A broadcast's recording as a station receives it: which file (the speech cache key), its SHA-256 and length. */
export interface ScriptAudio {
  key: string;
  sha256: string;
  durationSeconds: number;
}

/** A broadcast as a station receives it (and as each of its deliveries carries it). */
export interface StationScript {
  title?: string | undefined;
  text: string;
  airWindows: Pick<AirWindow, 'from' | 'to'>[];
  repeats: number;
  /** The recording made when the notice was submitted (absent on notices submitted before audio). */
  audio?: ScriptAudio | undefined;
}

export function stationScript(notice: { title?: string | undefined; broadcast: BroadcastContent; audio?: ScriptAudio | undefined }): StationScript {
  return {
    ...(notice.title ? { title: notice.title } : {}),
    text: notice.broadcast.script,
    airWindows: notice.broadcast.airWindows,
    repeats: notice.broadcast.repeats,
    ...(notice.audio ? { audio: { key: notice.audio.key, sha256: notice.audio.sha256, durationSeconds: notice.audio.durationSeconds } } : {}),
  };
}

/** SHA-256 (hex) of the content, over a fixed field order so the same content gives the same hash. */
export function contentHash(content: SentContent): string {
  const canonical =
    content.channel === 'sms'
      ? JSON.stringify(['sms', content.text])
      : content.channel === 'wechat'
        ? JSON.stringify(['wechat', ...[content.article.title, content.article.author, content.article.digest, content.article.body, content.article.cover, content.article.sourceUrl, content.article.tagId].map((field) => field ?? null)])
        : JSON.stringify([
          'broadcast',
          content.script.title ?? null,
          content.script.text,
          content.script.airWindows.map((window) => [window.from, window.to]),
          content.script.repeats,
          // The exact recording the reviewer heard; absent from hashes made before recordings existed.
          ...(content.script.audio ? [content.script.audio.sha256] : []),
        ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** What a reviewer reads as "the text": the SMS as sent, or the script. */
export function readableText(content: SentContent): string {
  if (content.channel === 'wechat') return `${content.article.title}\n\n${articleText(content.article.body)}`;
  return content.channel === 'sms' ? content.text : content.script.text;
}

/** An article body's text for people: paragraphs and breaks as new lines, tags gone, entities read. */
export function articleText(html: string): string {
  return html
    .replace(/<(?:br|\/p|\/h[1-4]|\/li|\/section|\/tr)\b[^>]*>/gi, '\n')
    .replace(/<img\b[^>]*>/gi, '［图片］')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Does the content still match what was approved? A notice approved before fingerprints never does. */
export function matchesApproval(content: SentContent, review: { approvedHash?: string | undefined }): boolean {
  return review.approvedHash !== undefined && contentHash(content) === review.approvedHash;
}

/** A change that makes content render differently: templates whose text changed, years whose settings changed. */
export interface RenderingChange {
  templates: readonly string[];
  years: readonly number[];
}

/**
 * Does the change touch what this notice (submitted or approved) sends? Then what the reviewer
 * sees or saw is no longer what would go out, and the notice goes back to review.
 */
export function touchedBy(
  notice: { channel: 'sms' | 'broadcast' | 'wechat'; sms?: { template?: string | undefined } | undefined },
  campaignYear: number | undefined,
  change: RenderingChange,
): boolean {
  if (notice.channel === 'sms' && notice.sms?.template !== undefined && change.templates.includes(notice.sms.template)) return true;
  // A year's settings change an SMS's signature and hint, a broadcast's reading pace: never an article.
  return notice.channel !== 'wechat' && campaignYear !== undefined && change.years.includes(campaignYear);
}

/**
 * The dispatcher's last check before sending: the content a delivery would send (the SMS text
 * fixed at scheduling, or the script copied into the station's delivery) must carry the approved
 * fingerprint. Returns why not, or undefined when it may go.
 */
export function refusalToSend(
  delivery: { recipient: { kind: 'sms' | 'station' | 'wechat' }; script?: StationScript | undefined },
  notice: { smsText?: string | undefined; review: { approvedHash?: string | undefined }; wechat?: WeChatContent | undefined; wechatDraft?: { contentHash: string } | undefined },
): string | undefined {
  if (delivery.recipient.kind === 'wechat') {
    // The draft box holds what was approved: the article now must match, and so must the draft made from it.
    if (!notice.wechat) return 'the notice has no WeChat article';
    if (notice.review.approvedHash === undefined) return 'not sent: the notice carries no approval fingerprint; submit it for review again';
    if (!matchesApproval({ channel: 'wechat', article: notice.wechat }, notice.review)) return 'not sent: the article differs from the one the reviewer approved (fingerprint mismatch)';
    if (notice.wechatDraft?.contentHash !== notice.review.approvedHash) return 'not sent: no WeChat draft was made from the approved article; approve it again';
    return undefined;
  }
  const content: SentContent | undefined =
    delivery.recipient.kind === 'sms'
      ? notice.smsText === undefined
        ? undefined
        : { channel: 'sms', text: notice.smsText }
      : delivery.script && { channel: 'broadcast', script: delivery.script };
  if (!content) return delivery.recipient.kind === 'sms' ? 'the notice has no approved SMS text' : 'the delivery has no script';
  if (notice.review.approvedHash === undefined) return 'not sent: the notice carries no approval fingerprint (approved before fingerprints were kept); submit it for review again';
  if (!matchesApproval(content, notice.review)) return 'not sent: the content differs from the text the reviewer approved (fingerprint mismatch)';
  return undefined;
}
