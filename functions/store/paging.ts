/**
 * @module store/paging
 * Opaque page cursors: DynamoDB's LastEvaluatedKey, base64url-encoded JSON.
 * A cursor that does not decode is bad input (400 naming `query.cursor`), never a 500.
 */
import { Invalid } from '../domain/errors.js';
import { keyAttributes } from './table.js';

export interface Page<T> {
  items: T[];
  /** Present when there may be more: pass it back as `cursor` to read on. */
  nextCursor?: string;
}

export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : undefined;
}

/** Every key attribute of the table and its indexes is a string: a cursor holds only those. */
const keyNames = new Set(keyAttributes().map((key) => key.name));

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length > 0 && entries.every(([name, part]) => keyNames.has(name) && typeof part === 'string')) {
        return value as Record<string, unknown>;
      }
    }
  } catch {
    // falls through to the Invalid below: a mangled cursor is the caller's mistake
  }
  throw invalidCursor();
}

/** A cursor this API did not hand out (or not for this list): bad input naming `query.cursor`. */
export function invalidCursor(): Invalid {
  return new Invalid('The page cursor is not one this API handed out.', [
    { field: 'query.cursor', message: 'not a cursor returned by a previous page' },
  ]);
}
