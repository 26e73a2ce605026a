import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Invalid, Unauthenticated } from '../../functions/domain/errors.js';
import { checkWeChatCallback, isFreshTimestamp, parseMassSendJobFinish, verifyWeChatSignature } from '../../functions/domain/wechat-callback.js';

const TOKEN = 'pufaCallbackToken2031';
const NOW = new Date('2031-03-15T01:00:00Z');
const nowSeconds = String(NOW.getTime() / 1000);

/** What WeChat sends: SHA-1 of token, timestamp and nonce sorted and joined (接入指南). */
function aSignedCallback(overrides: { timestamp?: string; nonce?: string } = {}) {
  const timestamp = overrides.timestamp ?? nowSeconds;
  const nonce = overrides.nonce ?? '1514711492';
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  return { token: TOKEN, timestamp, nonce, signature };
}

describe('the WeChat callback signature', () => {
  it('accepts a request signed as WeChat signs it', () => {
    expect(verifyWeChatSignature(aSignedCallback())).toBe(true);
    expect(() => checkWeChatCallback(aSignedCallback(), NOW)).not.toThrow();
  });

  it('sorts the three parts as text before hashing (digits before letters)', () => {
    const signature = createHash('sha1').update('14096598132468token').digest('hex');
    expect(verifyWeChatSignature({ token: 'token', timestamp: '1409659813', nonce: '2468', signature })).toBe(true);
    const unsorted = createHash('sha1').update('token14096598132468').digest('hex');
    expect(verifyWeChatSignature({ token: 'token', timestamp: '1409659813', nonce: '2468', signature: unsorted })).toBe(false);
  });

  it('refuses a forged signature, a signature of another token, and one that is not hex', () => {
    const good = aSignedCallback();
    expect(verifyWeChatSignature({ ...good, signature: good.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) })).toBe(false);
    expect(verifyWeChatSignature({ ...good, token: 'another-token' })).toBe(false);
    expect(verifyWeChatSignature({ ...good, signature: 'not-a-signature' })).toBe(false);
    expect(verifyWeChatSignature({ ...good, signature: '' })).toBe(false);
    expect(() => checkWeChatCallback({ ...good, nonce: '999' }, NOW)).toThrow(Unauthenticated);
  });

  it('accepts an upper-case hex signature (the same bytes)', () => {
    const good = aSignedCallback();
    expect(verifyWeChatSignature({ ...good, signature: good.signature.toUpperCase() })).toBe(true);
  });

  it('refuses a correctly signed request whose timestamp is more than 5 minutes away', () => {
    const stale = aSignedCallback({ timestamp: String(NOW.getTime() / 1000 - 301) });
    expect(verifyWeChatSignature(stale)).toBe(true);
    expect(() => checkWeChatCallback(stale, NOW)).toThrow(/more than 5 minutes/);
    expect(isFreshTimestamp(String(NOW.getTime() / 1000 - 300), NOW)).toBe(true);
    expect(isFreshTimestamp(String(NOW.getTime() / 1000 + 301), NOW)).toBe(false);
    expect(isFreshTimestamp('soon', NOW)).toBe(false);
  });
});

/** The event as WeChat's 事件推送群发结果 documents it, with both optional result lists. */
function anEventXml(overrides: { status?: string; extra?: string; omit?: string } = {}): string {
  const fields: [string, string][] = [
    ['ToUserName', '<![CDATA[gh_4d00ed8d6399]]>'],
    ['FromUserName', '<![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]>'],
    ['CreateTime', '1481013459'],
    ['MsgType', '<![CDATA[event]]>'],
    ['Event', '<![CDATA[MASSSENDJOBFINISH]]>'],
    ['MsgID', '1000001625'],
    ['Status', `<![CDATA[${overrides.status ?? 'send success'}]]>`],
    ['TotalCount', '100'],
    ['FilterCount', '80'],
    ['SentCount', '75'],
    ['ErrorCount', '5'],
  ];
  const body = fields
    .filter(([name]) => name !== overrides.omit)
    .map(([name, value]) => `  <${name}>${value}</${name}>`)
    .join('\n');
  return `<xml>
${body}
  <CopyrightCheckResult>
    <Count>2</Count>
    <ResultList>
      <item>
        <ArticleIdx>1</ArticleIdx>
        <UserDeclareState>0</UserDeclareState>
        <AuditState>2</AuditState>
        <OriginalArticleUrl><![CDATA[Url_1]]></OriginalArticleUrl>
        <OriginalArticleType>1</OriginalArticleType>
        <CanReprint>1</CanReprint>
        <NeedReplaceContent>1</NeedReplaceContent>
        <NeedShowReprintSource>1</NeedShowReprintSource>
      </item>
      <item>
        <ArticleIdx>2</ArticleIdx>
        <UserDeclareState>0</UserDeclareState>
        <AuditState>2</AuditState>
        <OriginalArticleUrl><![CDATA[Url_2]]></OriginalArticleUrl>
        <OriginalArticleType>1</OriginalArticleType>
        <CanReprint>1</CanReprint>
        <NeedReplaceContent>1</NeedReplaceContent>
        <NeedShowReprintSource>1</NeedShowReprintSource>
      </item>
    </ResultList>
    <CheckState>2</CheckState>
  </CopyrightCheckResult>
  <ArticleUrlResult>
    <Count>1</Count>
    <ResultList>
      <item>
        <ArticleIdx>1</ArticleIdx>
        <ArticleUrl><![CDATA[https://mp.weixin.qq.com/s/abc &amp; more]]></ArticleUrl>
      </item>
    </ResultList>
  </ArticleUrlResult>${overrides.extra ?? ''}
</xml>`;
}

describe('the MASSSENDJOBFINISH event', () => {
  it('is read into a checked object, numbers as numbers and the 64-bit message id as text', () => {
    const event = parseMassSendJobFinish(anEventXml());
    expect(event).toMatchObject({
      toUserName: 'gh_4d00ed8d6399',
      msgType: 'event',
      event: 'MASSSENDJOBFINISH',
      msgId: '1000001625',
      status: 'send success',
      createTime: 1481013459,
      totalCount: 100,
      filterCount: 80,
      sentCount: 75,
      errorCount: 5,
    });
    expect(event.copyrightCheckResult?.results.map((result) => result.originalArticleUrl)).toEqual(['Url_1', 'Url_2']);
    expect(event.copyrightCheckResult?.checkState).toBe(2);
    // CDATA is taken as it is: "&amp;" inside it is not an entity.
    expect(event.articleUrlResult?.results[0]?.articleUrl).toBe('https://mp.weixin.qq.com/s/abc &amp; more');
  });

  it('reads a review refusal, an XML declaration and the optional lists left out', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<xml><ToUserName>gh_1</ToUserName><FromUserName>o_1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>MASSSENDJOBFINISH</Event><MsgID>9</MsgID><Status>err(20013)</Status><TotalCount>0</TotalCount><FilterCount>0</FilterCount><SentCount>0</SentCount><ErrorCount>0</ErrorCount></xml>`;
    const event = parseMassSendJobFinish(xml);
    expect(event.status).toBe('err(20013)');
    expect(event.copyrightCheckResult).toBeUndefined();
    expect(event.articleUrlResult).toBeUndefined();
  });

  it('refuses malformed XML with a clear error', () => {
    expect(() => parseMassSendJobFinish('<xml><ToUserName>gh_1</xml>')).toThrow(/refused: <ToUserName> is closed by something else/);
    expect(() => parseMassSendJobFinish('<xml><ToUserName>gh_1</ToUserName>')).toThrow(/<xml> is not closed/);
    expect(() => parseMassSendJobFinish('not xml')).toThrow(/no root element/);
    expect(() => parseMassSendJobFinish(`${anEventXml()}<xml></xml>`)).toThrow(/content after the root element/);
    expect(() => parseMassSendJobFinish('<xml a="1"></xml>')).toThrow(/without attributes/);
    expect(() => parseMassSendJobFinish('<xml>fish & chips</xml>')).toThrow(/bare "&"/);
  });

  it('refuses an event with a field missing, doubled, or not a number, naming the field', () => {
    expect(() => parseMassSendJobFinish(anEventXml({ omit: 'SentCount' }))).toThrow(/body\.sentCount/);
    expect(() => parseMassSendJobFinish(anEventXml({ extra: '<SentCount>1</SentCount>' }))).toThrow(/<SentCount> appears 2 times/);
    expect(() => parseMassSendJobFinish(anEventXml().replace('<TotalCount>100', '<TotalCount>many'))).toThrow(/body\.totalCount/);
    expect(() => parseMassSendJobFinish(anEventXml().replace('MASSSENDJOBFINISH', 'TEMPLATESENDJOBFINISH'))).toThrow(Invalid);
  });

  it('refuses a DOCTYPE, so entity expansion (a billion laughs) and external entities never happen', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE xml [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><Status>&lol3;</Status></xml>`;
    expect(() => parseMassSendJobFinish(laughs)).toThrow(/DOCTYPE or entity declaration/);
    const external = '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Status>&xxe;</Status></xml>';
    expect(() => parseMassSendJobFinish(external)).toThrow(/DOCTYPE or entity declaration/);
    // An entity reference without a declaration is refused too, not passed through or looked up.
    expect(() => parseMassSendJobFinish(anEventXml({ status: 'x' }).replace('<TotalCount>100', '<TotalCount>&xxe;'))).toThrow(/"&xxe;" is not allowed/);
    expect(() => parseMassSendJobFinish('<xml><?php evil ?></xml>')).toThrow(/markup declarations/);
  });

  it('cannot pollute prototypes with elements named __proto__, constructor or prototype', () => {
    const hostile = anEventXml({
      extra: '<__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor>',
    });
    const event = parseMassSendJobFinish(hostile);
    expect(event.status).toBe('send success');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.keys(event)).not.toContain('__proto__');
    const inField = anEventXml().replace('<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>', '<ToUserName><__proto__>x</__proto__></ToUserName>');
    expect(() => parseMassSendJobFinish(inField)).toThrow(/<ToUserName> holds elements/);
  });

  it('refuses a document too large or too deep to be an event', () => {
    expect(() => parseMassSendJobFinish(`<xml>${'<a>'.repeat(10)}${'</a>'.repeat(10)}</xml>`)).toThrow(/nested deeper/);
    expect(() => parseMassSendJobFinish(`<xml><Status>${'x'.repeat(70_000)}</Status></xml>`)).toThrow(/longer than/);
  });
});
