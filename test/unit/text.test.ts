import { describe, expect, it } from 'vitest';
import { visibleText } from '../../functions/domain/text.js';

describe('visible text', () => {
  const title = visibleText(20);
  const note = visibleText(20, { min: 0 });

  it.each([
    ['zero-width spaces', '\u200b\u200b'],
    ['a word joiner and a BOM', '\u2060\ufeff'],
    ['ideographic and no-break spaces', '\u3000\u00a0'],
    ['a NUL byte inside a word', '宪法\u0000宣传'],
    ['a bell', '宪法\u0007'],
    ['an empty string', ''],
  ])('refuses %s', (_case, text) => {
    expect(title.safeParse(text).success).toBe(false);
  });

  it('keeps text with line breaks and tabs, trimmed', () => {
    expect(title.parse('  宪法\r\n宣传\t周 ')).toBe('宪法\r\n宣传\t周');
  });

  it('lets an optional field be blank, but never only invisible', () => {
    expect(note.parse('')).toBe('');
    expect(note.safeParse('\u200b').success).toBe(false);
  });
});
