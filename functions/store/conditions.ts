/**
 * @module store/conditions
 * Named conditions for conditional writes, and the translation of a failed condition into a
 * domain error that carries what the item looks like now.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Conflict } from '../domain/errors.js';
import { attr } from './table.js';

export const itemIsNew = `attribute_not_exists(${attr.pk})`;
export const itemExists = `attribute_exists(${attr.pk})`;
export const versionIs = '#version = :expectedVersion';
export const stateIs = '#state = :expectedState';

/** Runs a conditional write; a failed condition becomes a Conflict carrying the current item. */
export async function conditionally<T>(write: () => Promise<T>, conflictMessage: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      const current = error.Item ? unmarshall(error.Item) : undefined;
      throw new Conflict(conflictMessage, current ? publicFields(current) : undefined);
    }
    if (error instanceof TransactionCanceledException) {
      const failed = (error.CancellationReasons ?? []).find((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed) throw new Conflict(conflictMessage, failed.Item ? publicFields(unmarshall(failed.Item)) : undefined);
    }
    throw error;
  }
}

/** A write refused by its condition, alone or inside a transaction. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** Key and index attributes are storage details: never part of an answer. */
export function publicFields(item: Record<string, unknown>): Record<string, unknown> {
  const hidden = new Set<string>(Object.values(attr));
  hidden.add('type');
  return Object.fromEntries(Object.entries(item).filter(([name]) => !hidden.has(name)));
}
