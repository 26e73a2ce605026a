/**
 * @module domain/text
 * Text people write and read: titles, names, SMS bodies, scripts. One zod helper refuses what a
 * person cannot see (a title made only of zero-width spaces, a name with a NUL byte in it), and
 * one function says when two names are the same person's, so "李\u200b四" and "李四" are one reviewer.
 */
import { z } from 'zod';

/** Control characters other than tab, line feed and carriage return (forms send CRLF). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/** Format characters (zero-width space, joiners, bidi marks, BOM …), separators and whitespace. */
const INVISIBLE = /[\p{Cf}\p{Z}\s]/gu;

/** Is there at least one character a reader would see? */
export function hasVisibleCharacter(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

/**
 * A trimmed string of at most `max` characters that has something visible in it and no control
 * characters. `min: 0` lets an empty string through (a field that may be blank), but never one
 * made only of invisible characters.
 */
export function visibleText(max: number, options: { min?: 0 | 1 } = {}) {
  const base = z.string().trim().max(max);
  return (options.min === 0 ? base : base.min(1, 'must not be empty'))
    .refine((text) => !CONTROL.test(text), 'must not contain control characters (such as NUL)')
    // An empty string is min(1)'s to refuse (or allowed): one message per mistake.
    .refine((text) => text === '' || hasVisibleCharacter(text), 'must contain visible text, not only spaces or invisible characters');
}

/**
 * A name as compared between people: NFKC (full-width and compatibility forms folded), format
 * characters such as zero-width spaces removed, all whitespace removed, lower case.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}

/**
 * A number as people write it: no exponent, so between 0.000001 and 10^21 in size (or 0). Also
 * what DynamoDB can store: 5e-324 or 1e308 passed z.number() and made the write fail with a 500.
 */
export const plainNumberSchema = z.number().refine((value) => !/e/i.test(String(value)), 'must be 0, or between 0.000001 and 10^21 in size');
