/**
 * @module domain/csv-import
 * Reading registries from spreadsheets people already keep: CSV with Chinese or English
 * headers, townships and villages by id or by name, phone numbers in any usual format. Each row
 * is accepted (normalised) or rejected with its line number and the reason. Pure: text in.
 * The CSV parser is imported on the first import, not with this module (the API's cold start
 * does not compile it), so reading is async.
 */
import { z } from 'zod';
import { idSchema } from './access.js';
import { normalisePhone } from './phone.js';
import { pushEndpointSchema, type Registry, type Station } from './registry.js';

export type ImportKind = 'subscribers' | 'stations';

const HEADERS: Record<ImportKind, Record<string, readonly string[]>> = {
  subscribers: {
    phone: ['phone', '手机', '手机号', '手机号码', '电话', '联系电话'],
    township: ['township', '乡镇', '乡（镇）', '乡(镇)', '镇', '乡'],
    village: ['village', '村', '村（社区）', '村(社区)', '社区', '行政村'],
    groups: ['groups', 'group', '群体', '分组', '类别', '人群'],
    consent: ['consent', '同意', '是否同意', '同意接收'],
    name: ['name', '姓名', '名字'],
  },
  stations: {
    id: ['id', '编号', '站点编号', '广播站编号'],
    name: ['name', '名称', '站点名称', '广播站', '广播站名称'],
    village: ['village', '村', '所属村', '村（社区）', '村(社区)'],
    operator: ['operator', '管理员', '负责人', '播音员'],
    contact: ['contact', '联系电话', '电话', '手机'],
    pushEndpoint: ['endpoint', 'pushendpoint', '推送地址'],
  },
};

/** A subscriber file must say, row by row, whether the person agreed: silence is not consent. */
const REQUIRED: Record<ImportKind, readonly string[]> = {
  subscribers: ['phone', 'township', 'village', 'consent'],
  stations: ['id', 'name', 'village'],
};

export interface Rejected {
  line: number;
  reason: string;
}

export interface SubscriberRow {
  line: number;
  phone: string;
  township: string;
  village: string;
  groups: string[];
  consent: boolean;
  name?: string;
}

export interface StationRow extends Station {
  line: number;
}

export type ParsedImport<T> = { ok: true; rows: T[]; rejected: Rejected[]; lines: number } | { ok: false; problem: string };

function canonical(kind: ImportKind, header: string): string {
  const cleaned = header.trim().toLowerCase().replace(/\s+/g, '');
  for (const [field, aliases] of Object.entries(HEADERS[kind])) {
    if (aliases.some((alias) => alias.toLowerCase() === cleaned)) return field;
  }
  return `?${header.trim()}`;
}

async function records(kind: ImportKind, text: string): Promise<{ ok: true; rows: { line: number; values: Record<string, string> }[] } | { ok: false; problem: string }> {
  // Outside the try: a parser that fails to load is a server fault, not an unreadable file.
  const { parse } = await import('csv-parse/sync');
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      columns: (headers: string[]) => headers.map((header) => canonical(kind, header)),
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as typeof parsed;
  } catch (error) {
    return { ok: false, problem: `not readable as CSV: ${(error as Error).message}` };
  }
  const present = new Set(parsed.flatMap((row) => Object.keys(row.record)));
  const missing = REQUIRED[kind].filter((field) => !present.has(field));
  if (parsed.length > 0 && missing.length > 0) {
    const names = missing.map((field) => `${HEADERS[kind][field]?.[1] ?? field} (${field})`);
    return { ok: false, problem: `the header row lacks: ${names.join(', ')}` };
  }
  return { ok: true, rows: parsed.map((row) => ({ line: row.info.lines, values: row.record })) };
}

/** A township or village given by id or by its Chinese name. */
function resolver<T extends { id: string; name: string }>(items: readonly T[]) {
  const byId = new Map(items.map((item) => [item.id, item]));
  const byName = new Map(items.map((item) => [item.name.replace(/（示例）$/, ''), item]));
  return (value: string) => byId.get(value) ?? byName.get(value) ?? byName.get(value.replace(/（示例）$/, ''));
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '同意']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '不同意']);

export async function parseSubscribers(text: string, registry: Registry): Promise<ParsedImport<SubscriberRow>> {
  const read = await records('subscribers', text);
  if (!read.ok) return read;
  const township = resolver(registry.townships);
  const village = resolver(registry.villages);
  const groups = new Set(registry.groups);
  const rows: SubscriberRow[] = [];
  const rejected: Rejected[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of read.rows) {
    const reject = (reason: string) => rejected.push({ line, reason });
    const phone = normalisePhone(values.phone ?? '');
    if (!phone.ok) {
      reject(phone.reason);
      continue;
    }
    const foundTownship = township(values.township ?? '');
    if (!foundTownship) {
      reject(`unknown township "${values.township ?? ''}"`);
      continue;
    }
    const foundVillage = village(values.village ?? '');
    if (!foundVillage || foundVillage.township !== foundTownship.id) {
      reject(foundVillage ? `village "${values.village}" is not in ${foundTownship.name}` : `unknown village "${values.village ?? ''}"`);
      continue;
    }
    const rowGroups = (values.groups ?? '').split(/[;；,，、|]/).map((group) => group.trim()).filter(Boolean);
    const unknownGroup = rowGroups.find((group) => !groups.has(group));
    if (unknownGroup) {
      reject(`unknown group "${unknownGroup}"`);
      continue;
    }
    const consent = (values.consent ?? '').toLowerCase();
    if (!YES.has(consent) && !NO.has(consent)) {
      reject(consent === '' ? 'consent (同意) is blank: write 是 or 否' : `consent must be 是 or 否, not "${values.consent}"`);
      continue;
    }
    const earlier = seen.get(phone.e164);
    if (earlier !== undefined) {
      reject(`the same number as line ${earlier}`);
      continue;
    }
    seen.set(phone.e164, line);
    rows.push({
      line,
      phone: phone.e164,
      township: foundTownship.id,
      village: foundVillage.id,
      groups: rowGroups,
      consent: YES.has(consent),
      ...(values.name ? { name: values.name.slice(0, 40) } : {}),
    });
  }
  return { ok: true, rows, rejected, lines: read.rows.length };
}

const stationRow = z.object({ id: idSchema, name: z.string().min(1).max(60), pushEndpoint: pushEndpointSchema.optional() });

export async function parseStations(text: string, registry: Registry): Promise<ParsedImport<StationRow>> {
  const read = await records('stations', text);
  if (!read.ok) return read;
  const village = resolver(registry.villages);
  const rows: StationRow[] = [];
  const rejected: Rejected[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of read.rows) {
    const reject = (reason: string) => rejected.push({ line, reason });
    const checked = stationRow.safeParse({ id: values.id, name: values.name, ...(values.pushEndpoint ? { pushEndpoint: values.pushEndpoint } : {}) });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      reject(`${String(issue?.path[0] ?? 'row')}: ${issue?.message ?? 'invalid'}`);
      continue;
    }
    const foundVillage = village(values.village ?? '');
    if (!foundVillage) {
      reject(`unknown village "${values.village ?? ''}"`);
      continue;
    }
    let contact: string | undefined;
    if (values.contact) {
      const phone = normalisePhone(values.contact);
      if (!phone.ok) {
        reject(`contact: ${phone.reason}`);
        continue;
      }
      contact = phone.e164;
    }
    const earlier = seen.get(checked.data.id);
    if (earlier !== undefined) {
      reject(`the same station id as line ${earlier}`);
      continue;
    }
    seen.set(checked.data.id, line);
    rows.push({
      line,
      id: checked.data.id,
      name: checked.data.name,
      village: foundVillage.id,
      ...(values.operator ? { operator: values.operator.slice(0, 60) } : {}),
      ...(contact ? { contact } : {}),
      ...(checked.data.pushEndpoint ? { pushEndpoint: checked.data.pushEndpoint } : {}),
    });
  }
  return { ok: true, rows, rejected, lines: read.rows.length };
}
