/**
 * @module domain/sms
 * SMS text as carriers see it: the composed text (【signature】 + body + opt-out hint), its
 * encoding and segment count (3GPP TS 23.038), its cost, and registered templates with
 * `${name}` placeholders. Pure.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** GSM-7: septets (extension characters count 2); UCS-2: UTF-16 code units (an emoji is 2). */
  units: number;
  /** 0 for an empty text. */
  segments: number;
  /** The capacity applied: 160 or 153 (GSM-7), 70 or 67 (UCS-2). */
  perSegment: number;
}

export interface SmsSettings {
  /** The registered signature without brackets, e.g. 天全普法; sent as 【天全普法】. */
  signature: string;
  /** Appended to every message, e.g. 回T退订. */
  optOutHint: string;
  /** Yuan per segment per recipient. */
  pricePerSegment: number;
  /** Warn when a message needs more segments than this. */
  warnSegments: number;
  /** Refuse a message that needs more segments than this. */
  maxSegments: number;
}

export const defaultSmsSettings: SmsSettings = {
  signature: '普法宣传',
  optOutHint: '回T退订',
  pricePerSegment: 0.045,
  warnSegments: 2,
  maxSegments: 5,
};

// GSM 03.38 default alphabet and its extension table (each extension character is sent as
// ESC + character: two septets, which must stay in the same segment).
const GSM_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
const GSM_EXTENSION = new Set(Array.from('\f^{}\\[~]|€'));

// A multi-part message spends 6 bytes of every segment on the concatenation header (UDH),
// which leaves 153 septets or 67 UCS-2 units.
const CAPACITY = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

export function countSegments(text: string): SegmentCount {
  const characters = Array.from(text);
  const gsm = characters.every((character) => GSM_BASIC.has(character) || GSM_EXTENSION.has(character));
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const cost = (character: string) =>
    gsm ? (GSM_EXTENSION.has(character) ? 2 : 1) : (character.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
  const units = characters.reduce((sum, character) => sum + cost(character), 0);
  const capacity = CAPACITY[encoding];
  if (units === 0) return { encoding, units, segments: 0, perSegment: capacity.single };
  if (units <= capacity.single) return { encoding, units, segments: 1, perSegment: capacity.single };

  // Greedy packing: a character whose units do not fit whole starts the next segment.
  let segments = 1;
  let used = 0;
  for (const character of characters) {
    const size = cost(character);
    if (used + size > capacity.part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments, perSegment: capacity.part };
}

export function composeSms(body: string, settings: Pick<SmsSettings, 'signature' | 'optOutHint'>): string {
  const trimmed = body.trim();
  // Writers often paste the full text from last year's message: keep one signature and one hint.
  const signature = settings.signature.trim() ? `【${settings.signature.trim()}】` : '';
  const withSignature = trimmed.startsWith(signature) ? trimmed : `${signature}${trimmed}`;
  const hint = settings.optOutHint.trim();
  return withSignature.endsWith(hint) ? withSignature : `${withSignature}${hint}`;
}

const PLACEHOLDER = /\$\{(\w+)\}/g;

export function templatePlaceholders(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (match) => match[1] ?? ''))];
}

export function renderTemplate(template: string, params: Record<string, string | number>): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (placeholder, name: string) => {
    // Own keys only: a placeholder named ${constructor} must not find Object's.
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) {
      missing.add(name);
      return placeholder;
    }
    return String(value);
  });
  return { text, missing: [...missing] };
}

/**
 * Does the body read as the template with each placeholder filled by some non-empty text?
 * Matched by hand rather than with a regular expression of lazy wildcards: that backtracks
 * polynomially (a 1,000-character body against a five-placeholder template took minutes), and
 * this runs once per registered template on every check. Earliest-first matching of each
 * literal is enough, because ending a wildcard sooner never leaves the rest less room.
 * Both ends are trimmed, as composeSms trims what is sent.
 */
export function matchesTemplate(body: string, template: string): boolean {
  const text = body.trim();
  // split with a capture group alternates literal, name, literal, ..., so literals sit at even indexes
  const literals = template.trim().split(PLACEHOLDER).filter((_part, index) => index % 2 === 0);
  const first = literals[0] ?? '';
  if (literals.length === 1) return text === first;
  const last = literals[literals.length - 1] ?? '';
  if (!text.startsWith(first) || !text.endsWith(last)) return false;

  const end = text.length - last.length;
  let position = first.length;
  // Back-to-back placeholders leave an empty literal between them: each still needs a character.
  let needed = 1;
  for (const literal of literals.slice(1, -1)) {
    if (literal === '') {
      needed += 1;
      continue;
    }
    const found = text.indexOf(literal, position + needed);
    if (found < 0 || found + literal.length > end) return false;
    position = found + literal.length;
    needed = 1;
  }
  return end - position >= needed;
}

export interface SmsEstimate {
  text: string;
  segments: SegmentCount;
  costPerRecipient: number;
  warnings: string[];
  problems: string[];
}

export function estimateSms(body: string, settings: SmsSettings): SmsEstimate {
  const text = composeSms(body, settings);
  const segments = countSegments(text);
  const problems: string[] = [];
  const warnings: string[] = [];
  if (body.trim() === '') problems.push('must not be empty');
  if (segments.segments > settings.maxSegments) {
    problems.push(`needs ${segments.segments} segments, more than the maximum of ${settings.maxSegments}`);
  } else if (segments.segments > settings.warnSegments) {
    warnings.push(`需 ${segments.segments} 条计费短信（超过 ${settings.warnSegments} 条）：费用更高，且可能分段到达`);
  }
  const costPerRecipient = Math.round(segments.segments * settings.pricePerSegment * 10_000) / 10_000;
  return { text, segments, costPerRecipient, warnings, problems };
}
