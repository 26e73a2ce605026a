/**
 * The pages' shared layout: its style sheet reaches the browser as written. Text children of a
 * JSX element are HTML-escaped, which inside <style> broke every rule with a quote or a ">".
 */
import { describe, expect, it } from 'vitest';
import { Layout } from '../../functions/pages/layout.js';

describe('the page layout', () => {
  it('carries its style sheet unescaped: the Chinese font stack and child selectors survive', async () => {
    const html = String(await Layout({ title: '测试' }).toString());
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(css).toContain('font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif');
    expect(css).not.toContain('&quot;');
    expect(css).not.toContain('&gt;');
  });
});
