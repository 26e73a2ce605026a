/**
 * @module domain/speech-ssml
 * A script as Amazon Polly SynthesizeSpeech requests: SSML documents, each within one request's
 * limits, cut where a reader would pause. Pure.
 *
 * Limits (Polly API, TextLengthExceededException): SynthesizeSpeech takes at most 6,000
 * characters in total, of which at most 3,000 billed; SSML tags are not billed. A chunk is cut at
 * a sentence end (。！？；… or a line break); a sentence too long on its own is cut at its clauses
 * (，、：), and a clause too long at any character, never inside a lexicon word or an entity.
 * Characters are counted as code points; the 6,000 is measured on the whole `<speak>` document,
 * entities (`&amp;`) at their full length, while the billed count takes an entity as the one
 * character it stands for.
 *
 * Lexicon words go in `<phoneme alphabet="x-amazon-pinyin" ph="yin2-hang2">银行</phoneme>`: the
 * Polly Mandarin phoneme table writes the neutral tone 0 (not 5) and separates syllables with `-`
 * (语音 yu3-yin1). It does not say how ü is spelled after l and n; `v` (lv4), as in pinyin input
 * methods, is used here and has not been heard against Polly.
 */
import { lexiconSegments, syllablesOf, type SpeechLexicon, type SpeechLexiconEntry } from './speech-lexicon.js';
import { normaliseForSpeech } from './speech-text.js';

export const pollyLimits = { billedCharacters: 3000, totalCharacters: 6000 } as const;

const OPEN = '<speak>';
const CLOSE = '</speak>';
/** A sentence ends at one of these (and takes closing quotes and brackets with it). */
const SENTENCE_END = /[。！？；!?;…\n]/u;
const CLOSERS = /[”’"'」』）)】》]/u;
const CLAUSE_BREAK = /[，、,：:]/u;
/** What XML 1.0 cannot carry (Polly would refuse the request): control characters, lone surrogates, U+FFFE/FFFF. */
const NOT_XML = /^(?:[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff])$/;

/** SSML text with what Polly bills for it. */
interface Piece {
  ssml: string;
  billed: number;
  /** Code points of `ssml`. */
  length: number;
}

/** The smallest piece a chunk is made of: one character, or one lexicon word. */
interface Unit extends Piece {
  /** 2: a sentence ends after it; 1: a clause; 0: neither. */
  boundary: 0 | 1 | 2;
}

const codePoints = (text: string) => Array.from(text).length;
const EMPTY: Piece = { ssml: '', billed: 0, length: 0 };
const piece = (ssml: string, billed: number): Piece => ({ ssml, billed, length: codePoints(ssml) });

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[character] ?? character);

function phoneme(entry: SpeechLexiconEntry): string {
  const ph = syllablesOf(entry).map((syllable) => syllable.replace(/5$/, '0')).join('-');
  return `<phoneme alphabet="x-amazon-pinyin" ph="${ph}">${escapeXml(entry.word)}</phoneme>`;
}

function unitsOf(text: string, lexicon: SpeechLexicon): Unit[] {
  const units: Unit[] = [];
  for (const segment of lexiconSegments(text, lexicon)) {
    if (segment.entry) {
      units.push({ ...piece(phoneme(segment.entry), codePoints(segment.text)), boundary: 0 });
      continue;
    }
    for (const character of segment.text) {
      if (NOT_XML.test(character)) continue;
      const previous = units.at(-1);
      // Closing quotes stay with the sentence they close.
      if (previous && previous.boundary === 2 && CLOSERS.test(character)) {
        previous.boundary = 0;
        units.push({ ...piece(escapeXml(character), 1), boundary: 2 });
        continue;
      }
      const boundary = SENTENCE_END.test(character) ? 2 : CLAUSE_BREAK.test(character) ? 1 : 0;
      units.push({ ...piece(escapeXml(character), 1), boundary });
    }
  }
  return units;
}

const fits = (candidate: Piece) =>
  candidate.billed <= pollyLimits.billedCharacters && OPEN.length + candidate.length + CLOSE.length <= pollyLimits.totalCharacters;

const concat = (a: Piece, b: Piece): Piece => ({ ssml: a.ssml + b.ssml, billed: a.billed + b.billed, length: a.length + b.length });

/** Units cut after each boundary of at least `level`. */
function split(units: Unit[], level: 0 | 1 | 2): Unit[][] {
  const parts: Unit[][] = [];
  let current: Unit[] = [];
  for (const unit of units) {
    current.push(unit);
    if (unit.boundary >= level) {
      parts.push(current);
      current = [];
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

const join = (units: readonly Unit[]): Piece => units.reduce<Piece>(concat, EMPTY);

/** Greedy packing: as many whole parts of this level as fit; a part too big alone is packed a level down. */
function pack(units: Unit[], level: 0 | 1 | 2): Piece[] {
  const pieces: Piece[] = [];
  let current = EMPTY;
  for (const part of split(units, level)) {
    const joined = join(part);
    const together = concat(current, joined);
    if (fits(together)) {
      current = together;
      continue;
    }
    if (current.ssml !== '') pieces.push(current);
    current = EMPTY;
    if (fits(joined)) current = joined;
    else if (level > 0) pieces.push(...pack(part, level === 2 ? 1 : 0));
    // A part of level 0 is a single unit, which always fits (a lexicon word is at most 20 characters).
    else pieces.push(joined);
  }
  if (current.ssml !== '') pieces.push(current);
  return pieces;
}

/**
 * The script (digits and all) as SSML documents for SynthesizeSpeech, in reading order; empty
 * for a script with nothing to say.
 */
export function pollySsml(text: string, lexicon: SpeechLexicon): string[] {
  return chunks(text, lexicon).map((chunk) => `${OPEN}${chunk.ssml}${CLOSE}`);
}

/** The chunks' text, spaces and line breaks at their edges dropped (they are not sent, so not billed). */
function chunks(text: string, lexicon: SpeechLexicon): Piece[] {
  return pack(unitsOf(normaliseForSpeech(text), lexicon), 2)
    .map((chunk) => {
      const ssml = chunk.ssml.trim();
      // Whitespace is one code unit and one billed character each.
      return { ssml, billed: chunk.billed - (chunk.ssml.length - ssml.length), length: codePoints(ssml) };
    })
    .filter((chunk) => chunk.ssml !== '');
}

/**
 * What Polly bills for the script: characters of text, spaces included, tags not; the same count
 * whether or not a lexicon word is wrapped in a `<phoneme>` tag. Taken over the normalised text,
 * since that is what is sent (一二三四八 is five characters, 12348 would be five too, but
 * 百分之九十五 is six where 95% was three).
 */
export function speechCharacters(text: string, lexicon: SpeechLexicon): number {
  return chunks(text, lexicon).reduce((sum, chunk) => sum + chunk.billed, 0);
}
