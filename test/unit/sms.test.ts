/**
 * functions/domain/sms.ts: segment counting in GSM-7 and UCS-2, the signature and opt-out hint,
 * templates, and the per-recipient estimate a plan is checked against.
 */
import { describe, expect, it } from 'vitest';
import {
  composeSms,
  countSegments,
  defaultSmsSettings,
  estimateSms,
  matchesTemplate,
  renderTemplate,
  templatePlaceholders,
  type SmsSettings,
} from '../../functions/domain/sms.js';

const han = (count: number) => '法'.repeat(count);
const emoji = (count: number) => '👍'.repeat(count);
const tianquan = { signature: '天全普法', optOutHint: '回T退订' };
const someSettings = (overrides: Partial<SmsSettings> = {}): SmsSettings => ({ ...defaultSmsSettings, ...overrides });
/** A key-date notice: three placeholders, fixed text between them. */
const keyDate = '${day}是${name}，${message}';

describe('countSegments', () => {
  describe('in GSM-7', () => {
    it('counts nothing for an empty text', () => {
      expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0, perSegment: 160 });
    });

    it('fits 160 plain characters in one segment', () => {
      expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1, perSegment: 160 });
    });

    it('splits the 161st character off into a two-part message of 153 septets a part', () => {
      expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2, perSegment: 153 });
      expect(countSegments('a'.repeat(306)).segments).toBe(2);
      expect(countSegments('a'.repeat(307)).segments).toBe(3);
      expect(countSegments('a'.repeat(459)).segments).toBe(3);
      expect(countSegments('a'.repeat(460)).segments).toBe(4);
    });

    it('keeps accented letters, Greek capitals and line breaks of the GSM 03.38 alphabet in GSM-7', () => {
      const text = 'Ålesund: Ø ß Ä Ö Ü ñ è é ù ì ò à\r\nΔΦΓΛΩΠΨΣΘΞ ¿¡ § £ ¥ ¤ @_';
      expect(countSegments(text)).toEqual({ encoding: 'GSM-7', units: text.length, segments: 1, perSegment: 160 });
    });

    it('counts each extension character ^ { } \\ [ ] ~ | € as an escape plus the character: two septets', () => {
      expect(countSegments('^{}\\[]~|€')).toMatchObject({ encoding: 'GSM-7', units: 18, segments: 1 });
      expect(countSegments('Price: 5€')).toMatchObject({ units: 10 });
    });

    it('fits 80 euro signs in one segment but needs two for 81', () => {
      expect(countSegments('€'.repeat(80))).toMatchObject({ units: 160, segments: 1, perSegment: 160 });
      expect(countSegments('€'.repeat(81))).toMatchObject({ units: 162, segments: 2, perSegment: 153 });
    });

    it('moves an escape pair whole into the next segment rather than split it', () => {
      // 152 + 2 = 154 septets: the pair does not fit after 152, so it opens part two
      expect(countSegments(`${'a'.repeat(152)}[${'a'.repeat(10)}`)).toMatchObject({ units: 164, segments: 2 });
      // 306 septets would fill two parts of 153 exactly, but the pair cannot straddle them
      expect(countSegments(`${'a'.repeat(152)}{${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
      // the same pair one septet earlier ends part one exactly, and two parts suffice
      expect(countSegments(`${'a'.repeat(151)}{${'a'.repeat(153)}`)).toMatchObject({ units: 306, segments: 2 });
    });
  });

  describe('in UCS-2', () => {
    it('turns the whole message into UCS-2 for a single character outside GSM 03.38, such as a curly apostrophe', () => {
      expect(countSegments(`${'a'.repeat(100)}'`)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
      expect(countSegments(`${'a'.repeat(100)}’`)).toEqual({ encoding: 'UCS-2', units: 101, segments: 2, perSegment: 67 });
    });

    it('fits 70 Chinese characters in one segment, 134 in two and needs three for 135', () => {
      expect(countSegments(han(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1, perSegment: 70 });
      expect(countSegments(han(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2, perSegment: 67 });
      expect(countSegments(han(134))).toEqual({ encoding: 'UCS-2', units: 134, segments: 2, perSegment: 67 });
      expect(countSegments(han(135))).toEqual({ encoding: 'UCS-2', units: 135, segments: 3, perSegment: 67 });
    });

    it('treats Chinese punctuation as UCS-2 even in otherwise plain English', () => {
      expect(countSegments('Hello, world!')).toMatchObject({ encoding: 'GSM-7', units: 13 });
      expect(countSegments('Hello，world！')).toMatchObject({ encoding: 'UCS-2', units: 12 });
      expect(countSegments('【】，。！？“”：；、《》（）')).toMatchObject({ encoding: 'UCS-2', units: 15, segments: 1 });
    });

    it('counts ASCII letters one unit each once the message is UCS-2', () => {
      expect(countSegments(`回T退订${'a'.repeat(66)}`)).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
    });

    it('counts an emoji as its two UTF-16 units', () => {
      expect(countSegments('👍')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1, perSegment: 70 });
      expect(countSegments(emoji(35))).toMatchObject({ units: 70, segments: 1 });
      expect(countSegments(`${han(68)}👍`)).toMatchObject({ units: 70, segments: 1 });
      expect(countSegments(`${han(69)}👍`)).toMatchObject({ units: 71, segments: 2 });
    });

    it('counts a family emoji by its code units, not as one picture', () => {
      // man + ZWJ + woman + ZWJ + girl: three surrogate pairs and two joiners
      expect(countSegments('👨‍👩‍👧')).toMatchObject({ encoding: 'UCS-2', units: 8 });
    });

    it('keeps a surrogate pair together, so 67 emoji need three segments where 134 units suggest two', () => {
      expect(countSegments(emoji(67))).toMatchObject({ units: 134, segments: 3, perSegment: 67 });
      expect(Math.ceil(134 / 67)).toBe(2);
      // 66 characters and an emoji: the emoji would end at unit 68, so it opens part two
      expect(countSegments(`${han(66)}👍${han(66)}`)).toMatchObject({ units: 134, segments: 3 });
      // 65 characters and an emoji end part one at exactly 67: two parts suffice
      expect(countSegments(`${han(65)}👍${han(67)}`)).toMatchObject({ units: 134, segments: 2 });
    });
  });
});

describe('composeSms', () => {
  it('puts the signature in front and the opt-out hint at the end of the trimmed body', () => {
    expect(composeSms('  今天是国家宪法日。\n', tianquan)).toBe('【天全普法】今天是国家宪法日。回T退订');
  });

  it('does not repeat a signature or hint the writer already typed', () => {
    expect(composeSms('【天全普法】今天是国家宪法日。回T退订', tianquan)).toBe('【天全普法】今天是国家宪法日。回T退订');
    expect(composeSms('【天全普法】今天是国家宪法日。', tianquan)).toBe('【天全普法】今天是国家宪法日。回T退订');
    expect(composeSms('今天是国家宪法日。回T退订', tianquan)).toBe('【天全普法】今天是国家宪法日。回T退订');
  });

  it('still signs a body that carries another unit’s signature, and appends a hint that only appears mid-text', () => {
    expect(composeSms('【雅安普法】转发。', tianquan)).toBe('【天全普法】【雅安普法】转发。回T退订');
    expect(composeSms('回T退订即可。', tianquan)).toBe('【天全普法】回T退订即可。回T退订');
  });

  it('adds no empty brackets and no hint when they are blank', () => {
    expect(composeSms('通知', { signature: ' ', optOutHint: '' })).toBe('通知');
  });
});

describe('templatePlaceholders', () => {
  it('lists each placeholder once, in order of first use', () => {
    expect(templatePlaceholders(keyDate)).toEqual(['day', 'name', 'message']);
    expect(templatePlaceholders('${a}${b}${a}')).toEqual(['a', 'b']);
  });

  it('takes only ${letters, digits and _} as placeholders', () => {
    expect(templatePlaceholders('$name ${} ${名字} ${a-b} ${code_2}')).toEqual(['code_2']);
  });

});

describe('renderTemplate', () => {
  it('renders string and number params', () => {
    expect(renderTemplate(keyDate, { day: '12月4日', name: '国家宪法日', message: '欢迎咨询' })).toEqual({
      text: '12月4日是国家宪法日，欢迎咨询',
      missing: [],
    });
    expect(renderTemplate('第${n}期', { n: 3 })).toEqual({ text: '第3期', missing: [] });
  });

  it('leaves a missing placeholder as it is and names it once', () => {
    expect(renderTemplate('${day}：${message}；${day}', { message: '欢迎咨询', unused: 'x' })).toEqual({
      text: '${day}：欢迎咨询；${day}',
      missing: ['day'],
    });
  });

  it('treats a placeholder named like an object property as missing, not as the property', () => {
    expect(renderTemplate('${constructor}${toString}', {})).toEqual({
      text: '${constructor}${toString}',
      missing: ['constructor', 'toString'],
    });
  });

  it('inserts values literally, without expanding $& or placeholders inside them', () => {
    expect(renderTemplate('${a}|${b}', { a: '$&$1', b: '${a}' })).toEqual({ text: '$&$1|${a}', missing: [] });
  });

});

describe('matchesTemplate', () => {
  it('matches a body that fills every placeholder with some text', () => {
    expect(matchesTemplate('明天是国家宪法日，请到广场咨询', keyDate)).toBe(true);
    expect(matchesTemplate(renderTemplate(keyDate, { day: '今天', name: '3·15', message: '欢迎' }).text, keyDate)).toBe(true);
  });

  it('does not match a body that leaves a placeholder empty or changes the fixed text', () => {
    expect(matchesTemplate('是国家宪法日，请到广场咨询', keyDate)).toBe(false);
    expect(matchesTemplate('明天是国家宪法日，', keyDate)).toBe(false);
    expect(matchesTemplate('明天为国家宪法日，请到广场咨询', keyDate)).toBe(false);
    expect(matchesTemplate('明天是国家宪法日。请到广场咨询', keyDate)).toBe(false);
  });

  it('matches fixed text that repeats inside a filled value', () => {
    expect(matchesTemplate('一，二，三', '${a}，${b}')).toBe(true);
    expect(matchesTemplate('时间：周一；地点：广场：东侧', '时间：${when}；地点：${where}')).toBe(true);
  });

  it('needs at least one character for each of two placeholders side by side', () => {
    expect(matchesTemplate('第12期', '第${a}${b}期')).toBe(true);
    expect(matchesTemplate('第1期', '第${a}${b}期')).toBe(false);
  });

  it('takes regular-expression characters in the fixed text literally', () => {
    expect(matchesTemplate('费用(元): 5.00*', '费用(元): ${n}.00*')).toBe(true);
    expect(matchesTemplate('费用X元): 5x00*', '费用(元): ${n}.00*')).toBe(false);
    expect(matchesTemplate('a^b$c', '${x}^b$c')).toBe(true);
  });

  it('matches a template without placeholders only by the same text, ignoring surrounding space', () => {
    expect(matchesTemplate('  欢迎咨询。\n', '欢迎咨询。')).toBe(true);
    expect(matchesTemplate('欢迎咨询！', '欢迎咨询。')).toBe(false);
  });

  it('matches across line breaks in a filled value', () => {
    expect(matchesTemplate('通知：第一行\n第二行。', '通知：${body}。')).toBe(true);
  });

  it('answers at once for a long body that almost matches many placeholders', () => {
    // A regular expression of lazy wildcards backtracks for minutes on this
    const started = performance.now();
    const body = `${'a,'.repeat(500)}.`;
    expect(matchesTemplate(body, '${a},${b},${c},${d},${e};${f}.')).toBe(false);
    expect(matchesTemplate(body, '${a},${b},${c},${d},${e}.')).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('estimateSms', () => {
  it('starts from the default settings the plan falls back to', () => {
    expect(defaultSmsSettings).toEqual({ signature: '普法宣传', optOutHint: '回T退订', pricePerSegment: 0.045, warnSegments: 2, maxSegments: 5 });
  });

  it('prices the composed text per segment', () => {
    const estimate = estimateSms('今天是国家宪法日。', someSettings({ pricePerSegment: 0.05 }));
    expect(estimate).toEqual({
      text: '【普法宣传】今天是国家宪法日。回T退订',
      segments: { encoding: 'UCS-2', units: 19, segments: 1, perSegment: 70 },
      costPerRecipient: 0.05,
      warnings: [],
      problems: [],
    });
  });

  it('counts the signature and the hint: a 62-character body needs two segments', () => {
    // 【普法宣传】 is 6 units and 回T退订 is 4: 62 + 10 = 72, over the 70 of one segment
    const estimate = estimateSms(han(62), defaultSmsSettings);
    expect(countSegments(han(62)).segments).toBe(1);
    expect(estimate.segments).toMatchObject({ units: 72, segments: 2 });
    expect(estimate.costPerRecipient).toBe(0.09);
  });

  it('rounds the cost to four decimals, free of floating-point dust', () => {
    const estimate = estimateSms(han(300), defaultSmsSettings);
    expect(estimate.segments.segments).toBe(5);
    expect(5 * 0.045).toBe(0.22499999999999998);
    expect(estimate.costPerRecipient).toBe(0.225);
    expect(estimateSms(han(150), defaultSmsSettings).costPerRecipient).toBe(0.135);
  });

  it('warns only above the warning count', () => {
    expect(estimateSms(han(120), defaultSmsSettings)).toMatchObject({ segments: { segments: 2 }, warnings: [] });
    expect(estimateSms(han(150), defaultSmsSettings).warnings).toEqual([
      '需 3 条计费短信（超过 2 条）：费用更高，且可能分段到达',
    ]);
  });

  it('refuses above the maximum, and allows the maximum itself with a warning', () => {
    // five parts hold 5 × 67 = 335 units, ten of them the signature and hint
    expect(estimateSms(han(325), defaultSmsSettings)).toMatchObject({
      segments: { segments: 5 },
      problems: [],
      warnings: ['需 5 条计费短信（超过 2 条）：费用更高，且可能分段到达'],
    });
    expect(estimateSms(han(326), defaultSmsSettings)).toMatchObject({
      segments: { segments: 6 },
      problems: ['needs 6 segments, more than the maximum of 5'],
      warnings: [],
    });
  });

  it('follows the plan’s own warning count and maximum, not the defaults', () => {
    const strict = someSettings({ warnSegments: 1, maxSegments: 2 });
    expect(estimateSms(han(80), strict)).toMatchObject({
      segments: { segments: 2 },
      warnings: ['需 2 条计费短信（超过 1 条）：费用更高，且可能分段到达'],
      problems: [],
    });
    expect(estimateSms(han(200), strict)).toMatchObject({
      segments: { segments: 4 },
      problems: ['needs 4 segments, more than the maximum of 2'],
    });
  });

  it('refuses an empty or blank body', () => {
    expect(estimateSms('', defaultSmsSettings).problems).toEqual(['must not be empty']);
    expect(estimateSms(' \n\t ', defaultSmsSettings).problems).toEqual(['must not be empty']);
  });
});
