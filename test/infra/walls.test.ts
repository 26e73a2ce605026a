/**
 * @module test/infra/walls
 * The house's walls, read from the import graph of functions/ (every relative import and every
 * package import of every source file), so a new file that breaks one fails here, whoever wrote
 * it: only functions/store talks to DynamoDB; the store's own hold on its client stays inside it;
 * http/ and notify/ never reach up into local/ or workflows/; and no file imports itself round a
 * circle.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));

interface SourceFile {
  /** Path under functions/, e.g. `store/audit.ts`. */
  name: string;
  /** Relative imports, resolved to names under functions/. */
  imports: string[];
  /** Names imported from each package: `@aws-sdk/lib-dynamodb` -> [`GetCommand`, …]. */
  packages: Map<string, string[]>;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** `import … from '…'`, `export … from '…'` and `import('…')`, with what they name. */
const IMPORT = /(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function read(path: string): SourceFile {
  const text = readFileSync(path, 'utf8');
  const imports: string[] = [];
  const packages = new Map<string, string[]>();
  for (const match of text.matchAll(IMPORT)) {
    const typeOnly = match[1] !== undefined;
    const clause = match[2] ?? '';
    const specifier = match[3] ?? match[4] ?? '';
    if (specifier.startsWith('.')) {
      const base = resolve(dirname(path), specifier.replace(/\.js$/, ''));
      const target = [`${base}.ts`, `${base}.tsx`].find((candidate) => existsSync(candidate));
      if (target) imports.push(relative(functionsDir, target));
    } else {
      const names = typeOnly
        ? []
        : [...clause.matchAll(/(?:^|[{,\s])(?!type\s)(\w+)(?:\s+as\s+\w+)?(?=\s*[,}]|$)/g)].map(([, name]) => name ?? '').filter((name) => name !== 'type');
      packages.set(specifier, [...(packages.get(specifier) ?? []), ...names]);
    }
  }
  return { name: relative(functionsDir, path), imports, packages };
}

const files = sourcesUnder(functionsDir).map(read);
const floorOf = (name: string) => name.split('/')[0] ?? '';

describe('the walls of functions/', () => {
  it('reads the import graph (the parser finds what it should)', () => {
    const audit = files.find((file) => file.name === 'store/audit.ts');
    expect(audit?.imports).toContain('store/keys.ts');
    expect(audit?.packages.get('@aws-sdk/lib-dynamodb')).toContain('TransactWriteCommand');
    expect(files.length).toBeGreaterThan(100);
  });

  it('lets only functions/store send DynamoDB commands or catch its exceptions', () => {
    // The local server asks DynamoDB Local whether it is up (ListTables): about the service, not the table.
    const allowed = new Set(['ListTablesCommand']);
    const leaks = files
      .filter((file) => floorOf(file.name) !== 'store')
      .flatMap((file) =>
        ['@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb'].flatMap((pkg) =>
          (file.packages.get(pkg) ?? []).filter((name) => /(Command|Exception)$/.test(name) && !allowed.has(name)).map((name) => `${file.name}: ${name} from ${pkg}`),
        ),
      );
    expect(leaks).toEqual([]);
  });

  it('keeps the store’s hold on its client inside functions/store', () => {
    const outside = files.filter((file) => floorOf(file.name) !== 'store' && file.imports.includes('store/internal.ts')).map((file) => file.name);
    expect(outside).toEqual([]);
  });

  it('never lets http/ or notify/ import from local/ or workflows/ (no import climbs a floor)', () => {
    const climbs = files
      .filter((file) => ['http', 'notify'].includes(floorOf(file.name)))
      .flatMap((file) => file.imports.filter((target) => ['local', 'workflows'].includes(floorOf(target))).map((target) => `${file.name} -> ${target}`));
    expect(climbs).toEqual([]);
  });

  it('never lets domain/ or store/ import from the floors above them', () => {
    const above: Record<string, string[]> = {
      domain: ['store', 'notify', 'http', 'workflows', 'routes', 'pages', 'local', 'handlers'],
      store: ['notify', 'http', 'workflows', 'routes', 'pages', 'local', 'handlers'],
    };
    const climbs = files.flatMap((file) =>
      file.imports.filter((target) => (above[floorOf(file.name)] ?? []).includes(floorOf(target))).map((target) => `${file.name} -> ${target}`),
    );
    expect(climbs).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((file) => [file.name, file.imports]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'open') {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' -> '));
        return;
      }
      state.set(name, 'open');
      for (const next of graph.get(name) ?? []) visit(next, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of graph.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });
});
