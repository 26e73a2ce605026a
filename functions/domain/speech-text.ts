/**
 * @module domain/speech-text
 * Digits in a broadcast script rewritten in Hanzi the way a county announcer reads them, before
 * either speech engine sees the text (Polly would guess, espeak-ng's pinyin voice cannot read
 * digits at all). Pure.
 *
 * Rules, applied in this order; each one turns its digits into Hanzi, so a later rule never sees
 * them again:
 * 1. Full-width digits, ％, ：and ．become ASCII first (so ２０２１年 reads like 2021年).
 * Digit by digit means 1 is 一, not the 幺 of radio and military use: 一二三四八, 一一零.
 * 2. Telephone numbers with a separator (`0835-1234567`, `138-1234-5678`) are read digit by
 *    digit, the separator becoming a space (a short pause).
 * 3. Numeric dates `2021-03-15`, `2021.3.15`, `2021/03/15` read as 二零二一年三月十五日.
 * 4. A run of 3 or more digits shortly after 热线, 电话, 拨打, 举报, 专线, 号码, 致电, 手机,
 *    联系, 投诉 or 咨询 (within 8 characters, same sentence), or shortly before 热线, 专线,
 *    电话, 服务台 or 举报平台 (same clause), is read digit by digit, unless a unit follows it
 *    (拨打热线的群众达1200人).
 * 5. A known hotline (110 119 120 122 12110 12309 12315 12320 12333 12338 12345 12348 12351
 *    12355 12356 12358 12366 12369 12388 12395 95598), standing alone, is read digit by digit,
 *    unless a unit follows (`120人` is a hundred and twenty people).
 * 6. A run of 7 or more digits, or one with a leading zero, with no unit after it, is a phone,
 *    account or ID number: digit by digit. (A number that large as a quantity is written
 *    1200万 in Chinese prose, not 12000000.)
 * 7. A 4-digit year before 年 digit by digit, 二零二一年; a range of years reads 至 for its
 *    dash: 2021—2025年 → 二零二一至二零二五年.
 * 8. A day name with a middle dot, `3·15`, `12·4`, or with a full stop when it is quoted or a
 *    day word follows (“3.15”, 3.15消费者权益日), digit by digit: 三一五.
 * 9. A clock time `7:30` → 七点三十分, `8:05` → 八点零五分, `9:00` → 九点整, `2:15` → 两点十五分;
 *    a range `8:00-12:00` reads 至 for its dash.
 * 10. Percentages `95%` → 百分之九十五, `0.5‰` → 千分之零点五.
 * 11. Decimals `3.5` → 三点五 (digits after the point one by one).
 * 12. Ranges `3-5天` → 三至五天.
 * 13. Every other number is a quantity: 万/亿 grouping with 零 for skipped places
 *     (`105` 一百零五, `1200` 一千二百, `10000` 一万, `100010000` 一亿零一万, `12` 十二), 2
 *     before a measure word is 两 (`2人` 两人), and `1,200` loses its thousands comma.
 *
 * Written here, not taken from a package: the number→Hanzi step alone is ~40 lines; the npm
 * packages for it (nzh 1.0.14, last published 2024-12; number-to-chinese-words, no types) only
 * convert a number, while the work here is deciding *how* a digit run is read in context, which
 * none of them does. pinyin-pro (the one dependency added for speech) has no number reading.
 */

const HANZI_DIGITS = '零一二三四五六七八九';
const PLACES = ['千', '百', '十', ''] as const;

/** Hotlines every county notice repeats; see rule 5. */
export const knownHotlines: readonly string[] = [
  '110', '119', '120', '122', '12110', '12309', '12315', '12320', '12333', '12338', '12345', '12348',
  '12351', '12355', '12356', '12358', '12366', '12369', '12388', '12395', '95598',
];

/** What follows a number that makes it a quantity or a date, not a code to read out. */
const UNIT = '(?:[年月日号时点分秒%‰人个名位元角件户次天岁万亿千百条项种所家台辆吨斤米里公克度届期周倍起场批本张份]|小时|分钟)';
/** Words before a number that make it something to dial. */
const DIAL_WORDS = '(?:热线|电话|拨打|举报|专线|号码|致电|手机|联系|投诉|咨询)';
/** Words after a day name such as 3.15. */
const DAY_WORDS = '(?:日|晚会|活动|宣传|消费者|国际|国家|纪念|主题)';

/** '12348' → 一二三四八 */
export function readDigits(digits: string): string {
  return digits.replace(/\d/g, (digit) => HANZI_DIGITS[Number(digit)] ?? digit);
}

/** 0..9999 without leading 零: 1005 → 一千零五, 1050 → 一千零五十, 10 → 一十 (callers trim). */
function readGroup(group: number): string {
  const digits = String(group).padStart(4, '0');
  let out = '';
  let zeroPending = false;
  for (let place = 0; place < 4; place += 1) {
    const digit = Number(digits[place]);
    if (digit === 0) {
      zeroPending = out !== '';
      continue;
    }
    if (zeroPending) out += '零';
    zeroPending = false;
    out += (HANZI_DIGITS[digit] ?? '') + PLACES[place];
  }
  return out;
}

/** 0..99999999 as 万 and units: 10050 → 一万零五十; '' for 0; no trimming of a leading 一十. */
function readUpTo8(value: number): string {
  const high = Math.floor(value / 10000);
  const low = value % 10000;
  let out = high > 0 ? `${readGroup(high)}万` : '';
  // A low group under 1000 after 万 has skipped its thousands: 一万零五百.
  if (low > 0) out += (out !== '' && low < 1000 ? '零' : '') + readGroup(low);
  return out;
}

/**
 * An integer as a quantity, in 万/亿 groups: 105 → 一百零五, 10000 → 一万, 100010000 → 一亿零一万,
 * 110 → 一百一十, 12 → 十二, 10^12 → 一万亿. More than 16 digits is read digit by digit.
 */
export function readCardinal(digits: string): string {
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  if (trimmed.length > 16) return readDigits(digits);
  if (trimmed === '0') return '零';
  let out: string;
  if (trimmed.length > 8) {
    const low = Number(trimmed.slice(-8));
    out = `${readUpTo8(Number(trimmed.slice(0, -8)))}亿`;
    if (low > 0) out += (low < 10_000_000 ? '零' : '') + readUpTo8(low);
  } else {
    out = readUpTo8(Number(trimmed));
  }
  // 10-19 at the very start are said 十, 十一 …; inside a number they keep their 一: 一百一十.
  return out.startsWith('一十') ? out.slice(1) : out;
}

/** '3.05' → 三点零五: the whole part as a quantity, the fraction digit by digit. */
export function readDecimal(number: string): string {
  const [whole = '0', fraction] = number.split('.');
  return fraction === undefined ? readCardinal(whole) : `${readCardinal(whole)}点${readDigits(fraction)}`;
}

function readTime(hours: string, minutes: string): string {
  const hour = Number(hours) === 2 ? '两' : readCardinal(hours);
  if (Number(minutes) === 0) return `${hour}点整`;
  return `${hour}点${minutes.startsWith('0') ? '零' : ''}${readCardinal(minutes)}分`;
}

/** Rule 1: full-width digits and the signs that go with numbers, as ASCII. */
function foldWidth(text: string): string {
  return text
    .replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/％/g, '%')
    .replace(/(?<=\d)[：](?=\d)/g, ':')
    .replace(/(?<=\d)[．](?=\d)/g, '.');
}

/** The rules in order; each replaces digits with Hanzi. */
const RULES: ReadonlyArray<readonly [RegExp, (match: string, ...groups: string[]) => string]> = [
  // 2. Phone numbers with separators
  [/(?<!\d)(?:0\d{2,3}[-－—](?:\d{7,8})|1\d{2}[-－ ]\d{4}[-－ ]\d{4}|400[-－]\d{3}[-－]\d{4})(?![\d.])/g, (phone) => readDigits(phone.replace(/[-－— ]/g, ' '))],
  // 3. ISO dates
  [/(?<![\d.])(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?![\d.])/g, (_, year, _separator, month, day) => `${readDigits(year)}年${readCardinal(month)}月${readCardinal(day)}日`],
  // 4. Numbers after a word that says "dial this"
  [new RegExp(`(?<=${DIAL_WORDS}[^\\d。！？；\\n]{0,8})\\d{3,}(?:[-－ ]\\d{3,})*(?![\\d.,:%])(?!\\s*${UNIT})`, 'g'), (number) => readDigits(number.replace(/[-－]/g, ' '))],
  // 4. … or shortly before a word that says it is a line to call (12368诉讼服务热线)
  [new RegExp(`(?<![\\d.])\\d{3,}(?![\\d.,:%])(?!\\s*${UNIT})(?=[^\\d。！？；，\\n]{0,8}(?:热线|专线|电话|服务台|举报平台))`, 'g'), readDigits],
  // 5. Known hotlines standing alone
  [new RegExp(`(?<![\\d.])(?:${knownHotlines.join('|')})(?![\\d.:%])(?!\\s*${UNIT})`, 'g'), readDigits],
  // 6. Long runs and runs with a leading zero
  [new RegExp(`(?<![\\d.,])(?:\\d{7,}|0\\d{2,})(?![\\d.,%])(?!\\s*${UNIT})`, 'g'), readDigits],
  // 7. Years, and year ranges
  [/(?<!\d)(\d{4})\s*[-—–~～至到]\s*(\d{4})(?=\s*年)/g, (_, from, to) => `${readDigits(from)}至${readDigits(to)}`],
  [/(?<!\d)(\d{4})(?=\s*(?:年|[-—–~～至到]\s*\d{4}\s*年))/g, readDigits],
  // 8. Day names
  [/(?<![\d.])(\d{1,2})[·・•](\d{1,2})(?![\d.])/g, (_, month, day) => readDigits(month + day)],
  [new RegExp(`(?<=[“"「‘'])(\\d{1,2})\\.(\\d{1,2})(?=[”"」’'])|(?<![\\d.])(\\d{1,2})\\.(\\d{1,2})(?=${DAY_WORDS})`, 'g'), (match) => readDigits(match.replace('.', ''))],
  // 9. Clock times, and a range of them
  [/(?<![\d:.])(\d{1,2}:\d{2})\s*[-~～—–]\s*(?=\d{1,2}:\d{2}(?![\d:]))/g, (_, from) => `${from}至`],
  [/(?<![\d:.])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])/g, (_, hours, minutes) => readTime(hours, minutes)],
  // 10. Percentages and per-mille
  [/(\d+(?:\.\d+)?)\s*%/g, (_, number) => `百分之${readDecimal(number)}`],
  [/(\d+(?:\.\d+)?)\s*‰/g, (_, number) => `千分之${readDecimal(number)}`],
  // 13 (first part): thousands separators go before decimals and quantities read the number
  [/(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d,])/g, (number) => number.replace(/,/g, '')],
  // 11. Decimals
  [/\d+\.\d+/g, readDecimal],
  // 12. Ranges
  [/(\d+)\s*[-~～—–]\s*(?=\d)/g, (_, from) => `${from}至`],
  // 13. Two before a measure word
  [/(?<![\d.])2(?=(?:个|人|名|位|次|年|天|件|户|条|项|种|周|小时|点|分钟|倍|家|所|台|辆|张|本|份|批|场)(?!\d))/g, () => '两'],
  // 13. Quantities
  [/\d+/g, readCardinal],
];

/**
 * The script with every digit written out in Hanzi as an announcer says it; everything else is
 * left as it was. Idempotent: normalised text has no digits left to rewrite.
 */
export function normaliseForSpeech(text: string): string {
  return RULES.reduce((current, [pattern, read]) => current.replace(pattern, read as (match: string, ...rest: string[]) => string), foldWidth(text));
}
