/**
 * A WeChat article's body as it will be approved and sent: allowed tags, attributes and styles
 * only; images only from WeChat's image hosts or pufa's uploads; links only to other articles;
 * scripts and handlers gone; what was removed is reported; WeChat's size limits are checked.
 */
import { describe, expect, it } from 'vitest';
import { bodyCharacters, sanitiseArticleBody, wechatArticleSchema, WECHAT_BODY_MAX_CHARACTERS } from '../../functions/domain/wechat-article.js';

const image = `pufa-image:${'ab'.repeat(32)}`;

describe('sanitiseArticleBody', () => {
  it('keeps text, headings, lists, tables, allowed styles and uploaded images as they are', () => {
    const html = `<h2 style="text-align:center;color:#c00">民法典一日一问</h2><p>问：<strong>居住权</strong>如何设立？</p><ul><li>书面合同</li></ul><table><tr><td>一</td></tr></table><p><img src="${image}" alt="示意图"></p>`;
    const result = sanitiseArticleBody(html);
    expect(result.removed).toEqual([]);
    expect(result.html).toContain('<h2 style="text-align:center; color:#c00;">民法典一日一问</h2>');
    expect(result.html).toContain(`<img src="${image}" alt="示意图">`);
    expect(result.html).toContain('<strong>居住权</strong>');
  });

  it('takes out scripts, handlers, frames, javascript: links and styles that load or place things, and says so', () => {
    const html = '<p onclick="steal()">正文<script>alert(1)</script></p><iframe src="https://evil.example"></iframe><a href="javascript:alert(1)">点</a><p style="position:fixed;background:url(https://evil.example/x.png);color:red">红</p>';
    const result = sanitiseArticleBody(html);
    expect(result.html).not.toMatch(/script|onclick|iframe|javascript|position|url\(/i);
    expect(result.html).toContain('正文');
    expect(result.html).toContain('color:red');
    expect(result.removed).toEqual(expect.arrayContaining(['<p> 的 onclick 属性', '<script> 标签及其内容', '<iframe> 标签及其内容', '链接 javascript:alert(1)（正文只能链接公众号文章）']));
  });

  it('drops images from elsewhere whole (WeChat would filter them) and keeps links to other articles only', () => {
    const result = sanitiseArticleBody('<p><img src="https://example.com/a.png">图</p><p><img src=x onerror=alert(1)></p><a href="https://mp.weixin.qq.com/s/abc">上期</a><a href="https://example.com">外链</a>');
    expect(result.html).not.toContain('<img');
    expect(result.html).toContain('<a href="https://mp.weixin.qq.com/s/abc">上期</a>');
    expect(result.html).not.toContain('example.com');
    expect(result.html).toContain('外链');
    expect(result.removed).toEqual(expect.arrayContaining(['外部图片 https://example.com/a.png（只能用上传的图片）', '外部图片 x（只能用上传的图片）']));
  });

  it('is stable: sanitising what it gave changes nothing', () => {
    const once = sanitiseArticleBody('<p style="color:blue">一<b>二</b><img src="https://mmbiz.qpic.cn/x.jpg"></p><script>x</script>').html;
    expect(sanitiseArticleBody(once)).toEqual({ html: once, removed: [] });
  });
});

describe('an image address that tries to end its attribute', () => {
  const attempts = [
    `<img src='https://mmbiz.qpic.cn/a"><script>alert(1)</script>'>`,
    `<img src='https://mmbiz.qpic.cn/a" onerror="alert(1)'>`,
    `<img src="https://mmbiz.qpic.cn/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">`,
    `<img src='pufa-image:${'a'.repeat(64)}"><a href="javascript:alert(1)">x</a>'>`,
  ];
  it.each(attempts)('is kept harmless: %s', (html) => {
    const { html: kept } = sanitiseArticleBody(html);
    expect(kept).not.toMatch(/<script|onerror|javascript:/i);
    // What is kept is a fixed point: sanitising it again changes nothing (what the reviewer sees is what goes out).
    expect(sanitiseArticleBody(kept).html).toBe(kept);
  });

  it('keeps a plain WeChat image address as it is', () => {
    const html = '<p><img src="https://mmbiz.qpic.cn/mmbiz_png/abc123/640?wx_fmt=png&amp;from=appmsg"></p>';
    expect(sanitiseArticleBody(html).html).toContain('src="https://mmbiz.qpic.cn/mmbiz_png/abc123/640?wx_fmt=png&amp;from=appmsg"');
  });
});

describe('wechatArticleSchema', () => {
  const article = { title: '民法典一日一问', body: '<p>问：居住权如何设立？</p>', cover: 'cd'.repeat(32) };

  it('takes a plain article and refuses what WeChat would, naming the field', () => {
    expect(wechatArticleSchema.safeParse(article).success).toBe(true);
    const paths = (input: Record<string, unknown>) => wechatArticleSchema.safeParse(input).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ ...article, body: '<script>alert(1)</script>' })).toEqual(['body']);
    expect(paths({ ...article, body: `<p>${'字'.repeat(WECHAT_BODY_MAX_CHARACTERS)}</p>` })).toEqual(['body']);
    expect(paths({ ...article, cover: 'cover.jpg' })).toEqual(['cover']);
    expect(paths({ ...article, sourceUrl: 'http://example.com' })).toEqual(['sourceUrl']);
    expect(paths({ ...article, title: ' ' })).toEqual(['title']);
  });

  it('counts the characters people see, not tags or entities', () => {
    expect(bodyCharacters('<p>居住&nbsp;权</p>')).toBe(4);
  });
});
