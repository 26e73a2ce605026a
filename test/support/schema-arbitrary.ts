/**
 * fast-check arbitraries from the JSON schemas of the OpenAPI document: values shaped the way a
 * route expects them, and the same values with one thing wrong — a wrong type, a string too long,
 * a negative or huge number, an unknown enum value, a field missing or added, a `__proto__` key.
 * Only the keywords pufa's schemas use are understood; anything else gets arbitrary JSON.
 */
import fc from 'fast-check';

type Schema = Record<string, unknown>;
export type Path = (string | number)[];

/** A value with one thing changed, and what was changed (for the failure report). */
export interface Mutant {
  value: unknown;
  how: string;
}

/** Put where a number goes; the JSON text gets `1e999`, which JSON.parse reads as Infinity. */
export const OVERFLOWING_NUMBER = 'fuzz:1e999';
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll(JSON.stringify(OVERFLOWING_NUMBER), '1e999');
}

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

function resolve(schema: Schema, components: Record<string, unknown>): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = components[ref.replace('#/components/schemas/', '')];
  if (!isSchema(target)) throw new Error(`cannot resolve ${ref}`);
  return resolve(target, components);
}

/** Values shaped as `schema` says: the right types, lengths, ranges and patterns. */
export function schemaArbitrary(schema: unknown, components: Record<string, unknown>, depth = 0): fc.Arbitrary<unknown> {
  if (!isSchema(schema) || depth > 12) return fc.jsonValue({ maxDepth: 2 });
  const s = resolve(schema, components);
  const next = (inner: unknown) => schemaArbitrary(inner, components, depth + 1);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return fc.oneof(...options.map(next));
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return next(mergeAll(s.allOf.filter(isSchema).map((part) => resolve(part, components))));
  if (Array.isArray(s.type)) return fc.oneof(...strings(s.type).map((type) => next({ ...s, type })));
  switch (s.type) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return fc.integer({ min: num(s.minimum) ?? -1_000_000, max: num(s.maximum) ?? 1_000_000 });
    case 'number':
      return fc.double({ min: num(s.minimum) ?? -1e6, max: num(s.maximum) ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = num(s.minItems) ?? 0;
      return fc.array(next(s.items), { minLength, maxLength: Math.max(minLength, Math.min(num(s.maxItems) ?? 3, 3)) });
    }
    case 'object':
    case undefined:
      if (isSchema(s.properties)) {
        const properties = Object.fromEntries(Object.entries(s.properties).map(([key, inner]) => [key, next(inner)]));
        return fc.record(properties, { requiredKeys: strings(s.required).filter((key) => key in properties) });
      }
      if (isSchema(s.additionalProperties)) return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), next(s.additionalProperties), { maxKeys: 3 });
      return fc.jsonValue({ maxDepth: 2 });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function mergeAll(parts: Schema[]): Schema {
  const properties = Object.assign({}, ...parts.map((part) => (isSchema(part.properties) ? part.properties : {}))) as Schema;
  return { type: 'object', properties, required: parts.flatMap((part) => strings(part.required)) };
}

function stringArbitrary(s: Schema): fc.Arbitrary<string> {
  const minLength = num(s.minLength) ?? 0;
  const maxLength = num(s.maxLength);
  const fits = (value: string) => value.length >= minLength && (maxLength === undefined || value.length <= maxLength);
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
  if (s.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'uri') return fc.webUrl().filter(fits);
  if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength ?? 20, 40)) });
}

/** Every place in a JSON value, the value itself first. */
export function pathsIn(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((item, index) => pathsIn(item, [...at, index]))];
  if (isSchema(value)) return [at, ...Object.entries(value).flatMap(([key, item]) => pathsIn(item, [...at, key]))];
  return [at];
}

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = [value];
  return value;
}

/** Wrong values to put anywhere: each one a way real clients and attackers get things wrong. */
const wrongValues: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.constantFrom<[string, unknown]>(
    ['a number', 123],
    ['a string', 'text'],
    ['true', true],
    ['null', null],
    ['an empty array', []],
    ['an empty object', {}],
    ['a negative number', -1],
    ['a large negative number', -1e9],
    ['a fraction', 1.5],
    ['a huge number', 1e308],
    ['an overflowing number (1e999)', OVERFLOWING_NUMBER],
    ['an unsafe integer', 2 ** 53 + 2],
    ['an unknown enum value', 'no-such-value'],
    ['an empty string', ''],
    ['blanks', '   '],
    ['a lone surrogate', '\uD800'],
    ['a NUL character', 'a\u0000b'],
    ['emoji', '👨‍👩‍👧‍👦🎉'],
    ['a right-to-left override', '\u202Eabc'],
    ['a long string', 'x'.repeat(5_000)],
    ['a long Chinese string', '法'.repeat(3_000)],
    ['markup', '<script>alert(1)</script>'],
    ['a key-like string', 'CAMPAIGN#other#c-1'],
    ['deep nesting', deep(60)],
    ['an array of junk', [null, 1, 'x', {}]],
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map((text): [string, unknown] => ['random unicode', text]),
  fc.integer().map((value): [string, unknown] => ['a random integer', value]),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value): [string, unknown] => ['a random number', value]),
);

const strangeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', '$', 'a.b', '🎉'];

function setAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: unknown = structuredClone(root);
  const parent = getAt(copy, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent !== null && typeof parent === 'object' && key !== undefined) {
    // defineProperty, so a key named __proto__ becomes an own property, as JSON.parse would make it.
    Object.defineProperty(parent, key, { value: replacement, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function getAt(root: unknown, path: Path): unknown {
  let value: unknown = root;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
  return value;
}

function removeAt(root: unknown, path: Path): unknown {
  const copy: unknown = structuredClone(root);
  const parent = getAt(copy, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (parent !== null && typeof parent === 'object' && key !== undefined) delete (parent as Record<string | number, unknown>)[key];
  return copy;
}

const show = (path: Path) => (path.length === 0 ? '(the whole body)' : path.join('.'));

/** `value` with one thing wrong: a field replaced, removed, or a field added next to it. */
export function mutantOf(value: unknown): fc.Arbitrary<Mutant> {
  const places = pathsIn(value);
  const objects = places.filter((path) => isSchema(getAt(value, path)));
  const fields = places.filter((path) => path.length > 0);
  const replaced = fc
    .tuple(fc.constantFrom(...places), wrongValues)
    .map(([path, [label, wrong]]): Mutant => ({ value: setAt(value, path, wrong), how: `${show(path)} replaced by ${label}` }));
  const options: fc.Arbitrary<Mutant>[] = [replaced, replaced];
  if (fields.length > 0) {
    options.push(fc.constantFrom(...fields).map((path): Mutant => ({ value: removeAt(value, path), how: `${show(path)} left out` })));
  }
  if (objects.length > 0) {
    options.push(
      fc
        .tuple(fc.constantFrom(...objects), fc.constantFrom(...strangeKeys, 'unexpectedField'), wrongValues)
        .map(([path, key, [label, extra]]): Mutant => ({ value: setAt(value, [...path, key], extra), how: `${show([...path, key])} added as ${label}` })),
    );
  }
  return fc.oneof(...options);
}
