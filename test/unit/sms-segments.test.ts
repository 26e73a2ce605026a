import { describe, expect, it } from 'vitest';
import {
  composeSms,
  countSegments,
  defaultSmsSettings,
  estimateSms,
  matchesTemplate,
  renderTemplate,
  templatePlaceholders,
} from '../../functions/domain/sms.js';

describe('countSegments', () => {
  it('fits 160 plain characters in one GSM-7 segment and splits the 161st into 153s', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1, perSegment: 160 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2, perSegment: 153 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts GSM extension characters twice and never splits them', () => {
    expect(countSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    // 152 plain + one escape pair = 154 septets: the pair moves whole to the second segment
    expect(countSegments(`${'a'.repeat(152)}[${'a'.repeat(10)}`)).toMatchObject({ units: 164, segments: 2 });
    // 306 septets would be exactly two parts of 153, but the pair cannot straddle the boundary
    expect(countSegments(`${'a'.repeat(152)}{${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
  });

  it('makes the whole message UCS-2 for one Chinese character or Chinese punctuation', () => {
    expect(countSegments('Hello, world。')).toMatchObject({ encoding: 'UCS-2', units: 13, segments: 1 });
    expect(countSegments('【】，！？“”')).toMatchObject({ encoding: 'UCS-2', units: 7 });
    expect(countSegments('Meeting at 8, see you!')).toMatchObject({ encoding: 'GSM-7' });
    expect(countSegments('法'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1, perSegment: 70 });
    expect(countSegments('法'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2, perSegment: 67 });
    expect(countSegments('法'.repeat(134)).segments).toBe(2);
    expect(countSegments('法'.repeat(135)).segments).toBe(3);
  });

  it('counts an emoji as two UTF-16 units and keeps its surrogate pair together', () => {
    expect(countSegments('👍')).toMatchObject({ encoding: 'UCS-2', units: 2, segments: 1 });
    expect(countSegments('👍'.repeat(35)).segments).toBe(1);
    // 66 units + an emoji = 68 units: the pair cannot split at 67, so it opens segment two,
    // and 67 more characters then need a third
    const text = `${'法'.repeat(66)}👍${'法'.repeat(67)}`;
    expect(countSegments(text)).toMatchObject({ units: 135, segments: 3 });
    expect(Math.ceil(135 / 67)).toBe(3);
    expect(countSegments(`${'法'.repeat(66)}👍${'法'.repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
  });

  it('counts nothing for an empty text', () => {
    expect(countSegments('').segments).toBe(0);
  });
});

describe('composeSms', () => {
  const settings = { signature: '天全普法', optOutHint: '回T退订' };
  it('puts the signature in front and the opt-out hint at the end', () => {
    expect(composeSms('  今天是宪法日。 ', settings)).toBe('【天全普法】今天是宪法日。回T退订');
  });
  it('does not repeat them when the body already has them', () => {
    expect(composeSms('【天全普法】今天是宪法日。回T退订', settings)).toBe('【天全普法】今天是宪法日。回T退订');
  });
});

describe('templates', () => {
  const template = '${day}到了。${message}';
  it('list their placeholders once each', () => {
    expect(templatePlaceholders('${a}${b}${a}')).toEqual(['a', 'b']);
  });
  it('render their params and name the missing ones', () => {
    expect(renderTemplate(template, { day: '3·15', message: '欢迎咨询' })).toEqual({ text: '3·15到了。欢迎咨询', missing: [] });
    expect(renderTemplate(template, { day: 3 })).toEqual({ text: '3到了。${message}', missing: ['message'] });
  });
  it('match a body that fills every placeholder, and only such a body', () => {
    expect(matchesTemplate('明天3·15到了。请到广场咨询。', template)).toBe(true);
    expect(matchesTemplate('到了。请到广场咨询。', template)).toBe(false);
    expect(matchesTemplate('明天3·15来了。请到广场咨询。', template)).toBe(false);
    expect(matchesTemplate('价格(元): 5', '价格(元): ${n}')).toBe(true);
  });
});

describe('estimateSms', () => {
  it('prices the composed text per segment', () => {
    const estimate = estimateSms('今天是国家宪法日。', { ...defaultSmsSettings, pricePerSegment: 0.05 });
    expect(estimate.text).toBe('【普法宣传】今天是国家宪法日。回T退订');
    expect(estimate.segments.segments).toBe(1);
    expect(estimate.costPerRecipient).toBe(0.05);
    expect(estimate.problems).toEqual([]);
  });
  it('warns over the warning count and refuses over the maximum', () => {
    const settings = { ...defaultSmsSettings, warnSegments: 1, maxSegments: 2 };
    expect(estimateSms('法'.repeat(80), settings).warnings[0]).toMatch(/需 2 条计费短信（超过 1 条）/);
    expect(estimateSms('法'.repeat(200), settings).problems[0]).toMatch(/needs 4 segments, more than the maximum of 2/);
  });
  it('refuses an empty body', () => {
    expect(estimateSms('  ', defaultSmsSettings).problems).toContain('must not be empty');
  });
});
