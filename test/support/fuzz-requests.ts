/**
 * Requests for one operation of the route table, for fast-check: a valid-looking request (ids that
 * exist, hand-written valid bodies where a schema alone rarely makes one the domain accepts), then
 * one thing in it made wrong — a body field, a query parameter or a path parameter — or nothing.
 */
import fc from 'fast-check';
import { fillPath, jsonBodySchema, operationKey, type Operation } from './route-table.js';
import { mutantOf, schemaArbitrary, toJsonText } from './schema-arbitrary.js';

export interface FuzzRequest {
  /** What was done to the request, for the failure report. */
  how: string;
  path: Record<string, string>;
  query: [string, string][];
  body: { text: string; contentType: string } | undefined;
}

export interface RequestFixtures {
  /** `components.schemas` of the document. */
  schemas: Record<string, unknown>;
  /** Values that exist for a path parameter of this operation. */
  pathValues(operation: Operation, name: string): string[];
  /** Good values for query parameters, by name; others come from their schema. */
  queryValues: Record<string, string[]>;
  /** Valid bodies by operation key (`POST /activities`). */
  validBodies: Record<string, unknown[]>;
}

/** Strings a query or path value should never be trusted to be. */
const strangeStrings = fc.oneof(
  fc.constantFrom(
    ...['', ' ', '-1', '0', '1.5', '1e308', '1e999', '99999999999999999999', 'NaN', 'Infinity', '0x10', 'true', 'null', '[]', '{}'],
    ...['%', '%00', '..', '../..', 'a/b', '🎉', 'x'.repeat(3_000), '__proto__', 'constructor', '2031abc', ' 2031 ', 'CAMPAIGN#x', 'c~n~0~sst-qiaotou'],
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** Page cursors that decode, but were never handed out: shapes of keys, other partitions, junk. */
const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const forgedCursors = fc.oneof(
  fc.constantFrom<unknown>({}, [], 'text', 1, { pk: 'x' }, { pk: 'C#other#CAMPAIGN', sk: 'x' }, { pk: 1, sk: 2 }, { gsi1pk: 'C#other', gsi1sk: 'x', pk: 'a', sk: 'b' }).map(encodeCursor),
  fc.dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'duePk', 'dueAt', 'x'), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 5 }).map(encodeCursor),
  fc.jsonValue({ maxDepth: 2 }).map(encodeCursor),
);

const jsonText = (value: unknown): FuzzRequest['body'] => ({ text: toJsonText(value), contentType: 'application/json' });
const shown = (value: string) => JSON.stringify(value.slice(0, 40));

export function requests(operation: Operation, fixtures: RequestFixtures): fc.Arbitrary<FuzzRequest> {
  const fromSchema = (schema: unknown) => schemaArbitrary(schema, fixtures.schemas);
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  const bodySchema = jsonBodySchema(operation);

  const path = fc.record(
    Object.fromEntries(
      pathParameters.map((parameter) => [
        parameter.name,
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...fixtures.pathValues(operation, parameter.name)) },
          { weight: 1, arbitrary: fromSchema(parameter.schema).map(String) },
        ),
      ]),
    ),
  );
  const query = fc
    .tuple(
      // No cursor in a valid request: only a previous page can hand one out (forged ones come below).
      ...queryParameters
        .filter((parameter) => parameter.required || parameter.name !== 'cursor')
        .map((parameter) => {
          const good = fixtures.queryValues[parameter.name] ?? [];
          const value = fc.oneof(
            { weight: 3, arbitrary: good.length > 0 ? fc.constantFrom(...good) : fromSchema(parameter.schema).map(String) },
            { weight: 1, arbitrary: fromSchema(parameter.schema).map(String) },
          );
          const pair = (v: string | undefined): [string, string][] => (v === undefined ? [] : [[parameter.name, v]]);
          return parameter.required ? value.map(pair) : fc.option(value, { nil: undefined, freq: 2 }).map(pair);
        }),
    )
    .map((pairs) => pairs.flat());
  const seeds = fixtures.validBodies[operationKey(operation)] ?? [];
  const body: fc.Arbitrary<unknown> =
    bodySchema === undefined
      ? fc.constant(undefined)
      : seeds.length > 0
        ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...seeds) }, { weight: 1, arbitrary: fromSchema(bodySchema) })
        : fromSchema(bodySchema);

  return fc.record({ path, query, body }).chain((valid) => {
    const base: FuzzRequest = { how: 'a valid request', path: valid.path, query: valid.query, body: valid.body === undefined ? undefined : jsonText(valid.body) };
    const variants: { weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }[] = [{ weight: 1, arbitrary: fc.constant(base) }];
    if (bodySchema !== undefined) {
      variants.push(
        { weight: 5, arbitrary: mutantOf(valid.body).map((mutant) => ({ ...base, how: `body: ${mutant.how}`, body: jsonText(mutant.value) })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((junk) => ({ ...base, how: 'body: arbitrary JSON', body: jsonText(junk) })) },
        { weight: 1, arbitrary: fc.constant({ ...base, how: 'no body at all', body: undefined }) },
      );
    }
    if (queryParameters.length > 0) {
      const names = fc.constantFrom(...queryParameters.map((parameter) => parameter.name));
      const without = (name: string) => base.query.filter(([key]) => key !== name);
      const replaced = fc
        .tuple(names, fc.oneof(strangeStrings, forgedCursors))
        .map(([name, value]): FuzzRequest => ({ ...base, how: `query: ${name} replaced by ${shown(value)}`, query: [...without(name), [name, value]] }));
      const repeated = names.map((name): FuzzRequest => ({ ...base, how: `query: ${name} given twice`, query: [...base.query, [name, '1'], [name, '2']] }));
      const dropped = names.map((name): FuzzRequest => ({ ...base, how: `query: ${name} left out`, query: without(name) }));
      const added = fc
        .constantFrom('__proto__', 'constructor', 'unknown', 'limit[]')
        .map((name): FuzzRequest => ({ ...base, how: `query: ${name} added`, query: [...base.query, [name, 'x']] }));
      variants.push({ weight: 3, arbitrary: fc.oneof(replaced, replaced, repeated, dropped, added) });
    }
    if (pathParameters.length > 0) {
      const replaced = fc
        .tuple(fc.constantFrom(...pathParameters.map((parameter) => parameter.name)), strangeStrings)
        .map(([name, value]): FuzzRequest => ({ ...base, how: `path: ${name} replaced by ${shown(value)}`, path: { ...base.path, [name]: value } }));
      variants.push({ weight: 2, arbitrary: replaced });
    }
    return fc.oneof(...variants);
  });
}

/**
 * A valid request for every combination of existing path values (at most `max`), run before the
 * random ones: so that each existing thing — a pending, a sent and a cancelled script, say — is
 * met at least once, whatever the seed.
 */
export function examples(operation: Operation, fixtures: RequestFixtures, max = 8): FuzzRequest[] {
  let combinations: Record<string, string>[] = [{}];
  for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path')) {
    combinations = combinations.flatMap((combination) => fixtures.pathValues(operation, parameter.name).map((value) => ({ ...combination, [parameter.name]: value })));
  }
  const query = operation.parameters.flatMap((parameter): [string, string][] => {
    const value = fixtures.queryValues[parameter.name]?.[0];
    return parameter.in === 'query' && parameter.required && value !== undefined ? [[parameter.name, value]] : [];
  });
  const seed = fixtures.validBodies[operationKey(operation)]?.[0];
  const body = jsonBodySchema(operation) === undefined ? undefined : jsonText(seed ?? {});
  return combinations.slice(0, max).map((path) => ({ how: 'a valid request to something that exists', path, query, body }));
}

export function urlOf(operation: Operation, request: Pick<FuzzRequest, 'path' | 'query'>): string {
  const query = new URLSearchParams(request.query).toString();
  return `${fillPath(operation.path, request.path)}${query ? `?${query}` : ''}`;
}
