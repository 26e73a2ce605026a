/**
 * @module domain/yaml-source
 * Reads YAML written by people (plans, registries) and keeps track of where every value came
 * from, so any problem — a YAML syntax error, a schema failure or a later cross-check — is
 * reported as `file:line:column  path  message`, never as a stack trace. Pure: takes text.
 * The parser is imported when a file is first read, not with this module: only plan and
 * registry uploads need it, so the API's cold start does not compile it.
 */
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';

export interface LocatedProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the value, e.g. `campaigns.2.notices.0.schedule.days`. */
  path: string;
  message: string;
}

export interface YamlSource<T> {
  value: T;
  /** Where a path's value (or its nearest existing parent) starts in the file. */
  locate(path: readonly (string | number)[], message: string): LocatedProblem;
}

/** How many alias expansions a file may have (yaml's own guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

export type YamlResult<T> = { ok: true; source: YamlSource<T> } | { ok: false; problems: LocatedProblem[] };

export async function readYaml<S extends z.ZodType>(schema: S, text: string, file: string): Promise<YamlResult<z.infer<S>>> {
  const { LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { file, line: position.line, column: position.col, path: '', message: error.message.split('\n')[0] ?? error.message };
      }),
    };
  }
  const locate = locator(document, lineCounter, file);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Aliases that expand past the limit (a "billion laughs" file) are input, not a crash.
    if (!(error instanceof ReferenceError)) throw error;
    const message = /alias/i.test(error.message)
      ? `too many aliases (*anchor references): they would expand past ${MAX_ALIAS_COUNT} copies; write the values out instead`
      : error.message;
    return { ok: false, problems: [{ file, line: 1, column: 1, path: '', message }] };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => locate(issue.path.map(pathPart), issue.message)) };
  }
  return { ok: true, source: { value: parsed.data, locate } };
}

function pathPart(part: PropertyKey): string | number {
  return typeof part === 'number' ? part : String(part);
}

function locator(document: Document, lineCounter: LineCounter, file: string) {
  return function locate(path: readonly (string | number)[], message: string): LocatedProblem {
    for (let length = path.length; length >= 0; length -= 1) {
      const node = document.getIn(yamlPath(document, path.slice(0, length)), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) {
        const position = lineCounter.linePos(node.range[0]);
        return { file, line: position.line, column: position.col, path: path.join('.'), message };
      }
    }
    return { file, line: 1, column: 1, path: path.join('.'), message };
  };
}

/** YAML map keys such as `3:` are numbers in the document but strings in JSON paths. */
function yamlPath(document: Document, path: readonly (string | number)[]): unknown[] {
  const keys: unknown[] = [];
  for (const part of path) {
    const asNumber = typeof part === 'string' && /^\d+$/.test(part) ? Number(part) : undefined;
    if (asNumber !== undefined && document.hasIn([...keys, asNumber]) && !document.hasIn([...keys, part])) {
      keys.push(asNumber);
    } else {
      keys.push(part);
    }
  }
  return keys;
}

export function formatProblem(problem: LocatedProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}  ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}
