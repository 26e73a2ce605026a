/**
 * @module wechat/types
 * The shapes pufa sends to and reads from WeChat's official-account API, one zod schema per
 * answer (WeChat's field names, snake_case) and the camelCase types pufa's code uses. Every
 * answer is checked against its schema before anything reads it.
 *
 * Sources (developers.weixin.qq.com, read through the search index on 2026-12-01):
 * - stable_token: doc/service/api/base/api_getstableaccesstoken — body grant_type/appid/secret/
 *   force_refresh; answer access_token, expires_in ("目前是7200秒之内的值").
 * - uploadimg: doc/service/api/material/permanent/api_uploadimage — form-data `media`; answer url
 *   (the current page also shows errcode 0, errmsg "ok"); jpg/png under 1 MB.
 * - add_material?type=image: answer media_id and url (WeChat's older "新增永久素材" page as copied
 *   on cloud.tencent.com and w3cschool; the current WeChat page was not in the index).
 * - draft/add: body { articles: [...] } with title, author, digest, content, content_source_url,
 *   thumb_media_id, need_open_comment, only_fans_can_comment; answer media_id (WeChat community
 *   thread quoting the doc, and SDKs; the WeChat page itself was not in the index).
 * - mass/sendall: doc/service/api/notify/message/api_sendall — filter {is_to_all, tag_id},
 *   mpnews {media_id}, msgtype, send_ignore_reprint, clientmsgid; answer msg_id, msg_data_id
 *   (`{"errcode":0,"errmsg":"send job submission success","msg_id":…,"msg_data_id":…}`).
 * - mass/preview: touser (OpenID), mpnews, msgtype; answer errcode/errmsg (and msg_id, as SDKs
 *   read it — not confirmed on WeChat's page).
 * - mass/get: doc/service/api/notify/message/api_massmsgget — body msg_id; answer msg_id,
 *   msg_status SEND_SUCCESS | SENDING | SEND_FAIL | DELETE.
 */
import { z } from 'zod';

/** WeChat's ids come back as JSON numbers (64-bit in its docs); kept as strings in pufa. */
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

/** Every answer may carry these; 0 (or absent) means success. */
export const errorAnswer = z.object({ errcode: z.number().int(), errmsg: z.string().default('') });

export const stableTokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

export const uploadImageAnswer = z.object({ url: z.string().url() });

export const addMaterialAnswer = z.object({ media_id: z.string().min(1), url: z.string().url() });

export const addDraftAnswer = z.object({ media_id: z.string().min(1) });

export const previewAnswer = z.object({ msg_id: id.optional() });

export const massSendAnswer = z.object({ msg_id: id, msg_data_id: id.optional() });

/** 45065's body: WeChat may name the earlier send. */
export const duplicateSendAnswer = z.object({ msg_id: id.optional() });

export const massStatuses = ['SEND_SUCCESS', 'SENDING', 'SEND_FAIL', 'DELETE'] as const;
export const massStatusAnswer = z.object({ msg_id: id, msg_status: z.enum(massStatuses) });
export type MassStatus = (typeof massStatuses)[number];

/** One article of a draft (图文), in pufa's names. */
export const draftArticle = z.object({
  title: z.string().min(1),
  author: z.string().optional(),
  digest: z.string().optional(),
  /** HTML; images in it must be URLs from uploadArticleImage. */
  content: z.string().min(1),
  contentSourceUrl: z.string().optional(),
  /** A permanent material's media_id (addImageMaterial). */
  thumbMediaId: z.string().min(1),
  needOpenComment: z.boolean().optional(),
  onlyFansCanComment: z.boolean().optional(),
});
export type DraftArticle = z.infer<typeof draftArticle>;

/** clientmsgid: WeChat refuses more than 64 bytes (45067, community thread quoting the limit). */
export const clientMsgId = z.string().min(1).refine((value) => Buffer.byteLength(value, 'utf8') <= 64, 'clientmsgid is at most 64 bytes');

export const massSendInput = z.union([
  z.object({ mediaId: z.string().min(1), toAll: z.literal(true), clientMsgId }),
  z.object({ mediaId: z.string().min(1), tagId: z.number().int().nonnegative(), clientMsgId }),
]);
export type MassSendInput = z.infer<typeof massSendInput>;

/**
 * What a mass send came to:
 * - `submitted`: WeChat took the job; MASSSENDJOBFINISH (or mass/get) tells how it ended.
 * - `awaiting-confirmation`: taken, but the account has API 群发保护 on and the send went to all
 *   followers, so an administrator must confirm in WeChat within 30 minutes or it fails.
 * `duplicate` is true when WeChat answered 45065 with the earlier send's msg_id: nothing new was sent.
 */
export interface MassSendResult {
  state: 'submitted' | 'awaiting-confirmation';
  msgId: string;
  msgDataId?: string;
  duplicate: boolean;
}

/** A mass send as the local stand-in keeps it (local/wechat-sink.ts) and the outbox page shows it. */
export interface WeChatMassSend {
  msgId: string;
  msgDataId: string;
  clientMsgId?: string;
  mediaId: string;
  articles: Record<string, unknown>[];
  toAll: boolean;
  tagId?: number;
  submittedAt: string;
  status: 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL';
  awaitingConfirmation: boolean;
  totalCount: number;
  filterCount: number;
  sentCount: number;
  errorCount: number;
}
