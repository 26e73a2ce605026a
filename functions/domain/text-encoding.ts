/**
 * @module domain/text-encoding
 * Turns the bytes of a file people saved into text, whatever their tool chose: a BOM says UTF-8,
 * UTF-16LE or UTF-16BE; without one, valid UTF-8 is UTF-8, and otherwise valid GB18030 (which
 * covers GBK and GB2312 — what Excel writes on Chinese Windows) is GB18030. Decoding is strict:
 * bytes that fit no encoding are refused naming the encodings tried, and text that already holds
 * U+FFFD (damaged by an earlier conversion) is refused too, so a replacement character is never
 * stored. Pure: bytes in, text or a reason out. (Node's TextDecoder, built with full ICU.)
 */

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export type DecodedText = { ok: true; text: string; encoding: TextEncodingName } | { ok: false; problem: string };

const LABELS: Record<TextEncodingName, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'gb18030': 'GB18030/GBK',
};

const REPLACEMENT = '\ufffd';

function strict(encoding: TextEncodingName, bytes: Uint8Array): string | undefined {
  try {
    // ignoreBOM: keep the mark, so callers (csv-parse's `bom`) see the text exactly as saved.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined; // not valid in this encoding: the caller tries the next or names them all
  }
}

function bomOf(bytes: Uint8Array): TextEncodingName | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** UTF-16 saved without a BOM shows itself by NUL bytes in every other place (ASCII characters). */
function utf16WithoutBom(bytes: Uint8Array): TextEncodingName | undefined {
  const sample = bytes.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let index = 0; index < sample.length; index += 1) {
    if (sample[index] === 0) {
      if (index % 2 === 0) evenZeros += 1;
      else oddZeros += 1;
    }
  }
  const half = sample.length / 2;
  if (oddZeros > half * 0.3 && evenZeros === 0) return 'utf-16le';
  if (evenZeros > half * 0.3 && oddZeros === 0) return 'utf-16be';
  return undefined;
}

export function decodeText(bytes: Uint8Array): DecodedText {
  const declared = bomOf(bytes) ?? utf16WithoutBom(bytes);
  const candidates: TextEncodingName[] = declared ? [declared] : ['utf-8', 'gb18030'];
  for (const encoding of candidates) {
    const text = strict(encoding, bytes);
    if (text === undefined) continue;
    if (text.includes(REPLACEMENT)) {
      return { ok: false, problem: `the file (${LABELS[encoding]}) already contains replacement characters (�): it was damaged by an earlier conversion; save it again from the original` };
    }
    if (text.includes('\u0000')) continue; // NUL characters: not text in this encoding
    return { ok: true, text, encoding };
  }
  const tried = candidates.map((encoding) => LABELS[encoding]).join(' or ');
  return {
    ok: false,
    problem: declared
      ? `the file is marked as ${tried} but is not valid ${tried}; save it again as "CSV UTF-8"`
      : `the file is not text in ${tried} (the encodings pufa reads: UTF-8, GB18030/GBK, UTF-16 with a BOM); save it again as "CSV UTF-8"`,
  };
}
