import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseForSpeech, readCardinal, readDecimal } from '../../functions/domain/speech-text.js';

describe('normaliseForSpeech', () => {
  it('reads a realistic script the way a county announcer does', () => {
    const script =
      '各位村民：2021年3月15日是第39个“3·15”国际消费者权益日。遇到纠纷请拨打12348法律服务热线，' +
      '或拨打举报电话0835-1234567。今年全县调解成功率达95%，共服务1200人，发放宣传册10000份。' +
      '讲座7:30开始，时长1.5小时，报警请拨110。';
    expect(normaliseForSpeech(script)).toBe(
      '各位村民：二零二一年三月十五日是第三十九个“三一五”国际消费者权益日。遇到纠纷请拨打一二三四八法律服务热线，' +
        '或拨打举报电话零八三五 一二三四五六七。今年全县调解成功率达百分之九十五，共服务一千二百人，发放宣传册一万份。' +
        '讲座七点三十分开始，时长一点五小时，报警请拨一一零。',
    );
  });

  it.each([
    ['12348', '一二三四八'],
    ['110', '一一零'],
    ['12315', '一二三一五'],
    ['火警119，急救120', '火警一一九，急救一二零'],
    ['0835-1234567', '零八三五 一二三四五六七'],
    ['138-1234-5678', '一三八 一二三四 五六七八'],
    ['联系电话 13800001111', '联系电话 一三八零零零零一一一一'],
    ['投诉热线：2345 6789', '投诉热线：二三四五 六七八九'],
    ['咨询电话：666', '咨询电话：六六六'],
    ['12368诉讼服务热线', '一二三六八诉讼服务热线'],
  ])('reads the hotline or phone number in %s digit by digit', (text, spoken) => {
    expect(normaliseForSpeech(text)).toBe(spoken);
  });

  it('reads a hotline number as a quantity when a unit follows it', () => {
    expect(normaliseForSpeech('120人参加，110元一套')).toBe('一百二十人参加，一百一十元一套');
    expect(normaliseForSpeech('1200人拨打了热线')).toBe('一千二百人拨打了热线');
    expect(normaliseForSpeech('拨打热线的群众达1200人')).toBe('拨打热线的群众达一千二百人');
  });

  it.each([
    ['2021年', '二零二一年'],
    ['2021—2025年', '二零二一至二零二五年'],
    ['2021-03-15', '二零二一年三月十五日'],
    ['2021.3.15', '二零二一年三月十五日'],
    ['2021/03/15', '二零二一年三月十五日'],
    ['8:00-12:00', '八点整至十二点整'],
    ['3月15日', '三月十五日'],
    ['12月4日', '十二月四日'],
    ['3·15', '三一五'],
    ['12·4国家宪法日', '一二四国家宪法日'],
    ['“3.15”', '“三一五”'],
    ['3.15晚会', '三一五晚会'],
    ['7:30', '七点三十分'],
    ['8:05', '八点零五分'],
    ['9:00', '九点整'],
    ['14:30', '十四点三十分'],
    ['2:15', '两点十五分'],
  ])('reads the date or time %s as %s', (text, spoken) => {
    expect(normaliseForSpeech(text)).toBe(spoken);
  });

  it.each([
    ['95%', '百分之九十五'],
    ['95％', '百分之九十五'],
    ['12.5%', '百分之十二点五'],
    ['0.5‰', '千分之零点五'],
    ['3.5', '三点五'],
    ['3.05', '三点零五'],
    ['PM2.5', 'PM二点五'],
  ])('reads the percentage or decimal %s as %s', (text, spoken) => {
    expect(normaliseForSpeech(text)).toBe(spoken);
  });

  it.each([
    ['1200人', '一千二百人'],
    ['10000', '一万'],
    ['105', '一百零五'],
    ['1005', '一千零五'],
    ['10050', '一万零五十'],
    ['110000', '十一万'],
    ['10', '十'],
    ['12', '十二'],
    ['20', '二十'],
    ['第1165条', '第一千一百六十五条'],
    ['1,200元', '一千二百元'],
    ['共12000000元', '共一千二百万元'],
    ['3-5天', '三至五天'],
    ['2人', '两人'],
    ['2名', '两名'],
  ])('reads the quantity %s as %s', (text, spoken) => {
    expect(normaliseForSpeech(text)).toBe(spoken);
  });

  it('reads full-width digits like ASCII ones', () => {
    expect(normaliseForSpeech('拨打１２３４８，２０２１年３月１５日，９５％')).toBe('拨打一二三四八，二零二一年三月十五日，百分之九十五');
  });

  it('reads an unlabelled run of seven or more digits, or one with a leading zero, digit by digit', () => {
    expect(normaliseForSpeech('账号6222021234')).toBe('账号六二二二零二一二三四');
    expect(normaliseForSpeech('编号007')).toBe('编号零零七');
  });

  it('leaves text without digits as it was', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).filter((text) => !/[0-9０-９]/.test(text)), (text) => {
        expect(normaliseForSpeech(text)).toBe(text);
      }),
    );
  });

  it('leaves no ASCII or full-width digit behind, and is idempotent', () => {
    const piece = fc.oneof(
      fc.stringMatching(/^[0-9０-９]{1,12}$/),
      fc.constantFrom('年', '月', '日', '%', '％', '.', ':', '-', '·', ',', '，', '人', '热线', '拨打', ' ', '“', '”', '宪法'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')), (text) => {
        const spoken = normaliseForSpeech(text);
        expect(spoken).not.toMatch(/[0-9０-９]/);
        expect(normaliseForSpeech(spoken)).toBe(spoken);
      }),
    );
  });
});

/** A Chinese numeral read back, the way a listener adds it up: 一万零五百亿 → 1050000000000. */
function parseChinese(spoken: string): bigint {
  const digits = '零一二三四五六七八九';
  const places: Record<string, bigint> = { 十: 10n, 百: 100n, 千: 1000n };
  let total = 0n;
  let section = 0n;
  let digit = 0n;
  let sawDigit = false;
  for (const character of spoken) {
    const index = digits.indexOf(character);
    if (index >= 0) {
      digit = BigInt(index);
      sawDigit = true;
    } else if (places[character] !== undefined) {
      section += (sawDigit ? digit : 1n) * places[character];
      digit = 0n;
      sawDigit = false;
    } else if (character === '万') {
      section = (section + digit) * 10_000n;
      digit = 0n;
    } else if (character === '亿') {
      total = (total + section + digit) * 100_000_000n;
      section = 0n;
      digit = 0n;
    } else {
      throw new Error(`not a numeral character: ${character}`);
    }
  }
  return total + section + digit;
}

describe('readCardinal', () => {
  it.each([
    ['0', '零'],
    ['7', '七'],
    ['100', '一百'],
    ['101', '一百零一'],
    ['110', '一百一十'],
    ['1010', '一千零一十'],
    ['10001', '一万零一'],
    ['10100', '一万零一百'],
    ['100000', '十万'],
    ['1000000', '一百万'],
    ['100010000', '一亿零一万'],
    ['200000000', '二亿'],
    ['1000000000000', '一万亿'],
    ['1050000000000', '一万零五百亿'],
    ['100100000', '一亿零一十万'],
    ['9999999999999999', '九千九百九十九万九千九百九十九亿九千九百九十九万九千九百九十九'],
    ['0012', '十二'],
  ])('says %s as %s, with 零 for skipped places and 万/亿 groups', (digits, spoken) => {
    expect(readCardinal(digits)).toBe(spoken);
  });

  it('says every number up to 16 digits so that it reads back as the same number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 16n - 1n }), (number) => {
        expect(parseChinese(readCardinal(number.toString()))).toBe(number);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a number past 万亿 digit by digit', () => {
    expect(readCardinal('12345678901234567')).toBe('一二三四五六七八九零一二三四五六七');
  });

  it('reads a decimal fraction digit by digit', () => {
    expect(readDecimal('0.125')).toBe('零点一二五');
  });
});
