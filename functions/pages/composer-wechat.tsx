/**
 * @module pages/composer-wechat
 * The composer's WeChat article (微信公众号图文消息): its fields, the script that uploads the cover
 * and body images, and the form read into the notice's `wechat` part. The article's title is the
 * notice's own 标题 field, so the form has one title whatever the channel.
 *
 * Without script the cover is a text field for an image's SHA-256 (uploaded through the API); with
 * script it is filled by the upload and hidden, and the file pickers appear.
 */
import { imageRefSchema } from '../domain/wechat-article.js';

type One = (name: string, fallback?: string) => string;

/** The upload the script posts an image's bytes to (the images route: JPEG or PNG, answered with its SHA-256). */
export const IMAGE_UPLOAD_PATH = '/images';

/** Where the page shows a kept image. */
export const imagePath = (sha256: string) => `/images/${sha256}`;

/**
 * Uploads a picked image as its raw bytes, then either fills the cover (and shows it) or puts
 * `<img src="pufa-image:<sha256>">` into the body where the cursor is. Runs inside the composer's
 * script, which defines `form`, `each` and `update`.
 */
export const WECHAT_SCRIPT = `
  var status=document.getElementById('upload-status');
  each('[data-with-script]',function(e){e.hidden=false;});
  each('[data-without-script]',function(e){e.hidden=true;});
  function upload(input,done){
    var file=input.files&&input.files[0]; if(!file) return;
    if(['image/jpeg','image/png'].indexOf(file.type)<0){status.textContent='只能上传 JPEG 或 PNG 图片。';return;}
    status.textContent='正在上传 '+file.name+' …';
    fetch(form.dataset.upload,{method:'POST',credentials:'same-origin',headers:{'Content-Type':file.type},body:file})
      .then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});})
      .then(function(res){
        if(!res.ok||!/^[0-9a-f]{64}$/.test(res.j.sha256||'')){status.textContent='上传未成功：'+(res.j.detail||res.j.title||'请换一张图片再试。');return;}
        status.textContent='已上传 '+file.name+'。'; input.value=''; done(res.j.sha256); update();
      }).catch(function(){status.textContent='上传未成功，请检查网络后再试。';});
  }
  var coverFile=document.getElementById('coverFile');
  if(coverFile) coverFile.addEventListener('change',function(){upload(coverFile,function(sha){form.elements.cover.value=sha;var img=document.getElementById('cover-preview');img.src='/images/'+sha;img.hidden=false;});});
  var bodyImage=document.getElementById('bodyImageFile');
  if(bodyImage) bodyImage.addEventListener('change',function(){upload(bodyImage,function(sha){var t=form.elements.articleBody;var at=t.selectionStart,to=t.selectionEnd;t.setRangeText('<img src="pufa-image:'+sha+'">',at,to,'end');t.focus();});});
`;

/** The article as the preview reads it from the form (a fragment of the composer script's `notice()`). */
export const WECHAT_NOTICE_SCRIPT = `{var w={title:val('title'),body:form.elements.articleBody.value,cover:val('cover')};['author','digest','sourceUrl'].forEach(function(n){if(val(n))w[n]=val(n);});if(val('tagId'))w.tagId=/^\\d+$/.test(val('tagId'))?Number(val('tagId')):val('tagId');body.audience={all:true};body.wechat=w;}`;

/** What the preview says of an article (a fragment of the composer script's answer handling). */
export const WECHAT_PREVIEW_SCRIPT = `if(j.wechat){lines.push('微信文章：正文 '+j.wechat.characters+' 字（整理后），发给'+(val('tagId')?'标签 '+val('tagId')+' 下的粉丝':'全部粉丝'));}`;

export function WeChatFields(props: { one: One }) {
  const { one } = props;
  const cover = one('cover');
  const shownCover = imageRefSchema.safeParse(cover).success ? cover : undefined;
  return (
    <div id="wechat-fields">
      <p class="muted" style="margin:.5rem 0 0">微信公众号文章的标题就是上面的“标题”（不超过 64 字）。</p>
      <label for="author">作者（可不填）</label>
      <input id="author" name="author" value={one('author')} maxlength={16} />
      <label for="digest">摘要（可不填，不填时微信取正文前 54 字）</label>
      <textarea id="digest" name="digest" rows={2} maxlength={120}>
        {one('digest')}
      </textarea>
      <label for="articleBody">文章正文（HTML）</label>
      <p class="muted" id="articleBody-hint" style="margin:0 0 .25rem;font-size:.9rem">
        保留的标签：段落 p、换行 br、span、section、加粗 strong/b、斜体 em/i、下划线 u、引用 blockquote、小标题 h1–h4、列表 ul/ol/li、分隔线 hr、表格
        table/thead/tbody/tr/td/th，文字样式（颜色、字号、对齐、行距等）；图片只能用上传的图片（pufa-image:…）；链接只能指向公众号文章（https://mp.weixin.qq.com/…）。脚本、外部图片和其他标签会被去掉，预览里会列出去掉了什么。
      </p>
      <textarea id="articleBody" name="articleBody" rows={10} aria-describedby="articleBody-hint">
        {one('articleBody')}
      </textarea>
      <div data-with-script hidden>
        <label for="bodyImageFile">在光标处插入图片（JPEG 或 PNG，小于 1 MB）</label>
        <input id="bodyImageFile" type="file" accept="image/jpeg,image/png" />
      </div>
      <div data-with-script hidden>
        <label for="coverFile">封面（JPEG 或 PNG，小于 1 MB）</label>
        <input id="coverFile" type="file" accept="image/jpeg,image/png" />
      </div>
      <img id="cover-preview" src={shownCover ? imagePath(shownCover) : undefined} alt="封面预览" hidden={!shownCover} style="display:block;max-width:16rem;margin-top:.5rem" />
      <div data-without-script>
        <label for="cover">封面图片的 SHA-256（通过 POST /images 上传后得到）</label>
        <input id="cover" name="cover" value={cover} />
      </div>
      <p id="upload-status" aria-live="polite" class="muted" />
      <label for="sourceUrl">阅读原文链接（可不填，https:// 开头）</label>
      <input id="sourceUrl" name="sourceUrl" type="url" value={one('sourceUrl')} />
      <label for="tagId">标签 ID（可不填；不填即发给全部粉丝）</label>
      <input id="tagId" name="tagId" inputmode="numeric" value={one('tagId')} />
    </div>
  );
}

/** The article part of a posted composer: the notice's title is the article's. */
export function wechatFromForm(one: (name: string) => string) {
  const tagId = one('tagId');
  const optional = (name: 'author' | 'digest' | 'sourceUrl') => (one(name) ? { [name]: one(name) } : {});
  return {
    title: one('title'),
    ...optional('author'),
    ...optional('digest'),
    body: one('articleBody'),
    cover: one('cover'),
    ...optional('sourceUrl'),
    // Digits become the tag's number; anything else goes through as typed, for the schema to name.
    ...(tagId ? { tagId: /^\d+$/.test(tagId) ? Number(tagId) : tagId } : {}),
  };
}
