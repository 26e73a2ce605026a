/**
 * @module workflows/subscribers
 * An admin's changes to one subscriber (add or edit, remove) and anyone's opt-out of a number,
 * each written with its audit entry. Numbers are personal data: the log keeps their key and
 * masked form only. A CSV import goes through `workflows/imports.ts`.
 */
import type { Config } from '../config.js';
import { departmentScope, type Caller } from '../domain/access.js';
import { Forbidden, Invalid } from '../domain/errors.js';
import { maskPhone, type PhoneKeys } from '../domain/phone.js';
import { subscriberRecord, subscriberView, type SubscriberInput, type SubscriberRecord } from '../domain/subscriber.js';
import type { Store } from '../store/index.js';
import { auditFor } from './context.js';

type SubscriberDeps = { store: Store; config: Pick<Config, 'timeZone'>; phoneKeys: PhoneKeys; now: Date };

/**
 * Adds a subscriber, or changes the one with that number. `phone` is the input's number in
 * E.164 (parsed by the caller). Throws `Invalid` naming the fields that do not fit the registry.
 */
export async function saveSubscriber(
  deps: SubscriberDeps,
  caller: Caller,
  input: SubscriberInput,
  phone: string,
): Promise<{ result: 'created' | 'updated' | 'unchanged'; subscriber: SubscriberRecord }> {
  const { store } = deps;
  const county = caller.county;
  const registry = await store.registry.get(county);
  const village = registry.villages.find((candidate) => candidate.id === input.village);
  const problems = [
    ...(registry.townships.some((township) => township.id === input.township) ? [] : [{ field: 'body.township', message: `unknown township "${input.township}"` }]),
    ...(!village ? [{ field: 'body.village', message: `unknown village "${input.village}"` }] : village.township !== input.township ? [{ field: 'body.village', message: `"${input.village}" is not in township "${input.township}"` }] : []),
    ...input.groups.filter((group) => !registry.groups.includes(group)).map((group) => ({ field: 'body.groups', message: `unknown group "${group}"` })),
  ];
  if (problems.length > 0) throw new Invalid('The subscriber does not fit the registry.', problems);
  const key = deps.phoneKeys.keyOf(phone);
  const existing = await store.subscribers.findByPhoneKey(county, key);
  const record = subscriberRecord(county, { ...input, phone, phoneKey: key }, existing, deps.now);
  // The log keeps the number masked: it is personal data, and the county office reads the log.
  const audit = auditFor(deps, caller)(
    existing ? 'subscriber.update' : 'subscriber.create',
    { kind: 'subscriber', id: key },
    existing ? subscriberView(existing, 'restricted') : undefined,
    subscriberView(record, 'restricted'),
  );
  const result = await store.subscribers.upsert(record, existing, audit);
  return { result, subscriber: result === 'unchanged' && existing ? existing : record };
}

/** Removes the subscriber with that key (404 when there is none); returns what was removed. */
export async function removeSubscriber(deps: Omit<SubscriberDeps, 'phoneKeys'>, caller: Caller, phoneKey: string): Promise<SubscriberRecord> {
  const found = await deps.store.subscribers.require(caller.county, phoneKey);
  await deps.store.subscribers.remove(found, auditFor(deps, caller)('subscriber.remove', { kind: 'subscriber', id: found.phoneKey }, subscriberView(found, 'restricted')));
  return found;
}

/**
 * Opts a number out. Account-wide (like SNS's list) and only ever stops messages, so it applies
 * whatever township the number is registered in.
 */
export async function optOutNumber(deps: SubscriberDeps, caller: Caller, phone: string): Promise<void> {
  const key = deps.phoneKeys.keyOf(phone);
  // The number is personal data: the log keeps its key and the masked form only.
  const audit = auditFor(deps, caller)('subscriber.opt-out', { kind: 'subscriber', id: key }, undefined, { phone: maskPhone(phone, 'restricted'), optedOut: true });
  await deps.store.subscribers.optOut(caller.county, phone, key, deps.now, audit);
}

/**
 * A page of a township's subscribers, numbers masked by the reader's role. A staff token limited
 * to a township reads that township only; one limited to a department reads none. `reveal` (admins only) shows full numbers, and files
 * its `subscriber.reveal` entry before any number leaves: if the entry cannot be written, nothing
 * is revealed.
 */
export async function listSubscribers(
  deps: Omit<SubscriberDeps, 'phoneKeys'>,
  caller: Caller,
  query: { township: string; village?: string | undefined; limit: number; cursor?: string | undefined; reveal: boolean },
) {
  const { store } = deps;
  const { township, village, reveal } = query;
  if (caller.role === 'staff' && caller.township && caller.township !== township) {
    throw new Forbidden(`Your token is limited to township "${caller.township}".`);
  }
  // Subscriber lists are the townships' (and the county's): a department's staff send to them through notices, not read them.
  if (departmentScope(caller) !== undefined) throw new Forbidden(`Your token is limited to department "${caller.department}": subscriber lists are kept by the townships and the county office.`);
  if (reveal && caller.role !== 'admin') throw new Forbidden('Only an admin may see full phone numbers.');
  const page = await store.subscribers.page(caller.county, township, { village, limit: query.limit, cursor: query.cursor });
  if (reveal && page.items.length > 0) {
    await store.audit.file(
      auditFor(deps, caller)('subscriber.reveal', { kind: 'subscribers', id: township }, undefined, {
        township,
        ...(village ? { village } : {}),
        keys: page.items.map((item) => item.phoneKey),
      }),
    );
  }
  const level = reveal ? 'full' : caller.role === 'admin' ? 'admin' : 'restricted';
  return { items: page.items.map((item) => subscriberView(item, level)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
