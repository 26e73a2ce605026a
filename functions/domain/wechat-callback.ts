/**
 * @module domain/wechat-callback
 * Requests WeChat sends to the county's server URL (服务器配置): is it really from WeChat, is it
 * fresh, and what does a 群发结果 event (MASSSENDJOBFINISH) say.
 *
 * The signature, as WeChat's access guide (接入指南) puts it: sort token, timestamp and nonce in
 * dictionary order, concatenate them, SHA-1 the result; compare with `signature` (hex). The token
 * is the one typed in the server configuration, not the access token. Replay protection is ours:
 * a timestamp within ±5 minutes of now, and each (timestamp, nonce) pair once
 * (store/wechat-nonces.ts remembers them).
 *
 * The XML is read by a small parser written for this shape rather than a library: the event is a
 * flat `<xml>` of known elements with text or CDATA, plus two lists one level down. The parser
 * refuses any DOCTYPE or entity declaration (so no entity expansion), decodes only XML's five
 * named entities and numeric references, and never builds an object keyed by names from the
 * input: fields are looked up by their known names in a Map (so no prototype pollution), then
 * checked by zod. fast-xml-parser (5.12, MIT) was considered; it now pulls six packages and its
 * safety depends on options being set right, for a shape this small.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Invalid, Unauthenticated } from './errors.js';

/** WeChat's clock and ours may differ a little; older requests are refused as possible replays. */
export const CALLBACK_WINDOW_SECONDS = 5 * 60;
/** WeChat's events are a few KiB; anything far larger is not one. */
const MAX_XML_CHARS = 64 * 1024;
const MAX_DEPTH = 6;
const MAX_ELEMENTS = 2_000;

export interface SignedCallback {
  /** The token set in the account's server configuration (服务器配置 → 令牌 Token). */
  token: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

/** True when `signature` is SHA-1(sorted token, timestamp, nonce joined); compared in constant time. */
export function verifyWeChatSignature({ token, timestamp, nonce, signature }: SignedCallback): boolean {
  const expected = createHash('sha1').update([token, timestamp, nonce].sort().join(''), 'utf8').digest();
  if (!/^[0-9a-fA-F]{40}$/.test(signature)) return false;
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** True when the callback's timestamp (epoch seconds) is within the window around `now`. */
export function isFreshTimestamp(timestamp: string, now: Date, windowSeconds = CALLBACK_WINDOW_SECONDS): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Number(timestamp) - now.getTime() / 1000) <= windowSeconds;
}

/** Throws Unauthenticated unless the callback is signed by WeChat and fresh; the nonce is remembered after. */
export function checkWeChatCallback(callback: SignedCallback, now: Date): void {
  if (!verifyWeChatSignature(callback)) throw new Unauthenticated('the WeChat callback signature does not match');
  if (!isFreshTimestamp(callback.timestamp, now)) throw new Unauthenticated(`the WeChat callback timestamp is more than ${CALLBACK_WINDOW_SECONDS / 60} minutes from now`);
}

// ---- The MASSSENDJOBFINISH event ----

const count = z.string().regex(/^\d{1,10}$/, 'not a whole number').transform(Number);
const integer = z.string().regex(/^-?\d{1,10}$/, 'not an integer').transform(Number);

const copyrightResultSchema = z.object({
  articleIdx: count,
  userDeclareState: integer,
  auditState: integer,
  originalArticleUrl: z.string().optional(),
  originalArticleType: integer.optional(),
  canReprint: integer.optional(),
  needReplaceContent: integer.optional(),
  needShowReprintSource: integer.optional(),
});

export const massSendJobFinishSchema = z.object({
  toUserName: z.string().min(1),
  fromUserName: z.string().min(1),
  /** Epoch seconds. */
  createTime: count,
  msgType: z.literal('event'),
  event: z.literal('MASSSENDJOBFINISH'),
  /** 64-bit: kept as text. */
  msgId: z.string().regex(/^\d{1,20}$/, 'not a message id'),
  /** "send success", "send fail" or "err(<code>)" (a review refusal). */
  status: z.string().min(1),
  totalCount: count,
  filterCount: count,
  sentCount: count,
  errorCount: count,
  copyrightCheckResult: z
    .object({ count, checkState: integer, results: z.array(copyrightResultSchema) })
    .optional(),
  articleUrlResult: z.object({ count, results: z.array(z.object({ articleIdx: count, articleUrl: z.string() })) }).optional(),
});
export type MassSendJobFinish = z.infer<typeof massSendJobFinishSchema>;

/** What a pushed message is: its MsgType and, for an event, its Event (refused if the XML is not one WeChat would send). */
export function messageKind(xml: string): { msgType: string | undefined; event: string | undefined } {
  const root = parseXml(xml);
  if (root.name !== 'xml') throw refused(`the root element is <${root.name}>, not <xml>`);
  return { msgType: textOf(root, 'MsgType'), event: textOf(root, 'Event') };
}

/** Parses the XML WeChat posts when a mass send finishes; throws Invalid naming what is wrong. */
export function parseMassSendJobFinish(xml: string): MassSendJobFinish {
  const root = parseXml(xml);
  if (root.name !== 'xml') throw refused(`the root element is <${root.name}>, not <xml>`);
  const copyright = optionalChild(root, 'CopyrightCheckResult');
  const articleUrls = optionalChild(root, 'ArticleUrlResult');
  const candidate = {
    toUserName: textOf(root, 'ToUserName'),
    fromUserName: textOf(root, 'FromUserName'),
    createTime: textOf(root, 'CreateTime'),
    msgType: textOf(root, 'MsgType'),
    event: textOf(root, 'Event'),
    // The documentation spells it MsgID; some SDKs read MsgId.
    msgId: textOf(root, 'MsgID') ?? textOf(root, 'MsgId'),
    status: textOf(root, 'Status'),
    totalCount: textOf(root, 'TotalCount'),
    filterCount: textOf(root, 'FilterCount'),
    sentCount: textOf(root, 'SentCount'),
    errorCount: textOf(root, 'ErrorCount'),
    copyrightCheckResult: copyright && {
      count: textOf(copyright, 'Count'),
      checkState: textOf(copyright, 'CheckState'),
      results: itemsOf(copyright).map((item) => ({
        articleIdx: textOf(item, 'ArticleIdx'),
        userDeclareState: textOf(item, 'UserDeclareState'),
        auditState: textOf(item, 'AuditState'),
        originalArticleUrl: textOf(item, 'OriginalArticleUrl'),
        originalArticleType: textOf(item, 'OriginalArticleType'),
        canReprint: textOf(item, 'CanReprint'),
        needReplaceContent: textOf(item, 'NeedReplaceContent'),
        needShowReprintSource: textOf(item, 'NeedShowReprintSource'),
      })),
    },
    articleUrlResult: articleUrls && {
      count: textOf(articleUrls, 'Count'),
      results: itemsOf(articleUrls).map((item) => ({ articleIdx: textOf(item, 'ArticleIdx'), articleUrl: textOf(item, 'ArticleUrl') })),
    },
  };
  const parsed = massSendJobFinishSchema.safeParse(candidate);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({ field: ['body', ...issue.path.map(String)].join('.'), message: issue.message }));
    throw new Invalid(`the WeChat event XML is not a MASSSENDJOBFINISH event: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
  }
  return parsed.data;
}

// ---- A minimal XML reader for WeChat's event shape ----

interface XmlElement {
  name: string;
  text: string;
  children: Map<string, XmlElement[]>;
}

const refused = (why: string) => new Invalid(`the WeChat event XML is refused: ${why}`, [{ field: 'body', message: why }]);

const NAMED_ENTITIES = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

function decodeText(raw: string): string {
  return raw.replace(/&([^;\s&<]{0,12});?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw refused('a bare "&" in text');
    const named = NAMED_ENTITIES.get(name);
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|(\d{1,7}))$/.exec(name);
    const code = numeric ? parseInt(numeric[1] ?? numeric[2] ?? '', numeric[1] ? 16 : 10) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || code === 0) throw refused(`the entity "&${name};" is not allowed (only XML's own five and character references)`);
    return String.fromCodePoint(code);
  });
}

/** Reads one root element; refuses DOCTYPE, entity declarations, processing instructions and attributes. */
export function parseXml(xml: string): XmlElement {
  if (xml.length > MAX_XML_CHARS) throw refused(`longer than ${MAX_XML_CHARS} characters`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw refused('a DOCTYPE or entity declaration (entity expansion is not allowed)');
  let pos = 0;
  let elements = 0;
  const skipMisc = () => {
    for (;;) {
      const rest = xml.slice(pos);
      const space = /^\s+/.exec(rest);
      if (space) {
        pos += space[0].length;
        continue;
      }
      if (rest.startsWith('<!--')) {
        const end = xml.indexOf('-->', pos + 4);
        if (end < 0) throw refused('an unclosed comment');
        pos = end + 3;
        continue;
      }
      return;
    }
  };
  const declaration = /^\uFEFF?<\?xml\s[^?]*\?>/.exec(xml);
  if (declaration) pos = declaration[0].length;
  skipMisc();
  if (xml.startsWith('<?', pos)) throw refused('a processing instruction');

  const readElement = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) throw refused(`nested deeper than ${MAX_DEPTH} levels`);
    elements += 1;
    if (elements > MAX_ELEMENTS) throw refused(`more than ${MAX_ELEMENTS} elements`);
    const open = /^<([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*(\/?)>/.exec(xml.slice(pos, pos + 80));
    if (!open) throw refused(`expected an element without attributes at character ${pos}`);
    const name = open[1] ?? '';
    pos += open[0].length;
    const element: XmlElement = { name, text: '', children: new Map() };
    if (open[2] === '/') return element;
    let text = '';
    for (;;) {
      if (pos >= xml.length) throw refused(`<${name}> is not closed`);
      if (xml.startsWith('<![CDATA[', pos)) {
        const end = xml.indexOf(']]>', pos + 9);
        if (end < 0) throw refused('an unclosed CDATA section');
        text += xml.slice(pos + 9, end);
        pos = end + 3;
      } else if (xml.startsWith('<!--', pos)) {
        skipMisc();
      } else if (xml.startsWith('</', pos)) {
        const close = /^<\/([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*>/.exec(xml.slice(pos, pos + 80));
        if (!close || close[1] !== name) throw refused(`<${name}> is closed by something else at character ${pos}`);
        pos += close[0].length;
        element.text = element.children.size > 0 ? text.trim() : text;
        return element;
      } else if (xml.startsWith('<!', pos) || xml.startsWith('<?', pos)) {
        throw refused(`markup declarations are not allowed (character ${pos})`);
      } else if (xml[pos] === '<') {
        const child = readElement(depth + 1);
        const siblings = element.children.get(child.name);
        if (siblings) siblings.push(child);
        else element.children.set(child.name, [child]);
      } else {
        const next = xml.indexOf('<', pos);
        const end = next < 0 ? xml.length : next;
        text += decodeText(xml.slice(pos, end));
        pos = end;
      }
    }
  };
  if (xml[pos] !== '<') throw refused('no root element');
  const root = readElement(0);
  skipMisc();
  if (pos < xml.length) throw refused('content after the root element');
  return root;
}

function only(parent: XmlElement, name: string): XmlElement | undefined {
  const found = parent.children.get(name);
  if (found && found.length > 1) throw refused(`<${name}> appears ${found.length} times`);
  return found?.[0];
}

function textOf(parent: XmlElement, name: string): string | undefined {
  const element = only(parent, name);
  if (element && element.children.size > 0) throw refused(`<${name}> holds elements, not text`);
  return element?.text.trim();
}

function optionalChild(parent: XmlElement, name: string): XmlElement | undefined {
  return only(parent, name);
}

function itemsOf(parent: XmlElement): XmlElement[] {
  return only(parent, 'ResultList')?.children.get('item') ?? [];
}
