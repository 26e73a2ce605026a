/**
 * @module pages/article
 * A WeChat article as its readers will see it, for the reviewer: cover, title, author, digest, the
 * body and the 阅读原文 link. The body shown is the stored one, which was sanitised when it was kept
 * (domain/planning `noticeContentOf`); the page only points its `pufa-image:` sources at this
 * origin's `/images/…`, which the Content-Security-Policy's `img-src 'self'` allows.
 */
import { articleText } from '../domain/approval.js';
import type { WeChatContent } from '../domain/planning.js';
import { sanitiseArticleBody } from '../domain/wechat-article.js';
import { imagePath } from './composer-wechat.js';

/** Only the `src` of an image the sanitiser kept (it writes attributes in double quotes). */
const PUFA_IMAGE_SOURCE = /(<img\b[^>]*?\ssrc=")pufa-image:([0-9a-f]{64})"/g;

/** The stored body with each uploaded image shown from this origin. */
export function bodyForPage(body: string): string {
  return body.replace(PUFA_IMAGE_SOURCE, (_whole, before: string, sha: string) => `${before}${imagePath(sha)}"`);
}

/**
 * Whether the stored body is exactly what the sanitiser keeps. It always is for a body pufa wrote;
 * a body that is not (a record written around the workflows) is never rendered as HTML.
 */
export function isSanitised(body: string): boolean {
  return sanitiseArticleBody(body).html === body;
}

export function ArticlePreview(props: { article: Pick<WeChatContent, 'title' | 'author' | 'digest' | 'body' | 'cover' | 'sourceUrl' | 'tagId'> }) {
  const { article } = props;
  const safe = isSanitised(article.body);
  return (
    <figure class="article" style="margin:.5rem 0;max-width:40rem;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem">
      <img class="article-cover" src={imagePath(article.cover)} alt="封面" style="display:block;width:100%;max-height:20rem;object-fit:cover;border-radius:4px" />
      <h3 class="article-title" style="font-size:1.3rem;margin:.75rem 0 .25rem">{article.title}</h3>
      <p class="muted" style="margin:0 0 .5rem">
        {article.author ? `作者：${article.author} · ` : ''}发给：{article.tagId === undefined ? '全部粉丝' : `标签 ${article.tagId} 下的粉丝`}
      </p>
      {article.digest && (
        <p class="article-digest" style="margin:0 0 .75rem;padding:.5rem;background:#f6f8fa">
          摘要：{article.digest}
        </p>
      )}
      {safe ? (
        <div class="article-body" style="line-height:1.8;overflow-wrap:anywhere" dangerouslySetInnerHTML={{ __html: bodyForPage(article.body) }} />
      ) : (
        <>
          <p class="flash err">这篇文章的正文未经整理，只显示其中的文字：请退回，由撰写人重新保存。</p>
          <div class="article-body" style="white-space:pre-wrap">
            {articleText(article.body)}
          </div>
        </>
      )}
      {article.sourceUrl && (
        <p style="margin:.75rem 0 0">
          阅读原文：
          <a href={article.sourceUrl} rel="noopener noreferrer">
            {article.sourceUrl}
          </a>
        </p>
      )}
    </figure>
  );
}
