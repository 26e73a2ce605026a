import { describe, expect, it } from 'vitest';
import { parseSubscribers } from '../../functions/domain/csv-import.js';
import type { Registry } from '../../functions/domain/registry.js';
import { decodeText } from '../../functions/domain/text-encoding.js';
import { GBK, gbk, utf16be, utf16le, utf8 } from '../support/encodings.js';

const chinese = '手机号,乡镇,村,同意,姓名\r\n19900000001,城厢镇,向阳村,是,张三\r\n19900000002,城厢镇,向阳村,否,李四\r\n';
const registry: Registry = {
  townships: [{ id: 'chengxiang', name: '城厢镇' }],
  villages: [{ id: 'xiangyang', township: 'chengxiang', name: '向阳村' }],
  stations: [],
  groups: [],
  departments: [],
  placements: [],
};

describe('the GBK table the tests encode with', () => {
  it('decodes back to the same characters with GB18030', async () => {
    for (const [character, bytes] of Object.entries(GBK)) expect(new TextDecoder('gb18030').decode(Uint8Array.from(bytes))).toBe(character);
  });
});

describe('decodeText', () => {
  it.each([
    ['GBK from Excel on Chinese Windows', gbk(chinese), 'gb18030'],
    ['UTF-16LE with a BOM', utf16le(chinese), 'utf-16le'],
    ['UTF-16LE without a BOM', utf16le(chinese, false), 'utf-16le'],
    ['UTF-16BE with a BOM', utf16be(chinese), 'utf-16be'],
    ['UTF-8 with a BOM', utf8(chinese, true), 'utf-8'],
    ['UTF-8 without a BOM', utf8(chinese), 'utf-8'],
  ])('reads %s', (_case, bytes, encoding) => {
    const decoded = decodeText(bytes);
    expect(decoded).toMatchObject({ ok: true, encoding });
    expect(decoded.ok && decoded.text.replace(/^\ufeff/, '')).toBe(chinese);
  });

  it('makes Chinese headers and names from a GBK file come out right', async () => {
    const decoded = decodeText(gbk(chinese));
    if (!decoded.ok) throw new Error(decoded.problem);
    const parsed = await parseSubscribers(decoded.text, registry);
    expect(parsed.ok && parsed.rows.map((row) => [row.name, row.consent])).toEqual([['张三', true], ['李四', false]]);
  });

  it('refuses bytes that fit no encoding, naming the encodings', async () => {
    const decoded = decodeText(Uint8Array.from([...utf8('phone,name\n1,'), 0xff, 0xff, 0x0a]));
    expect(decoded).toEqual({ ok: false, problem: expect.stringContaining('not text in UTF-8 or GB18030/GBK') });
  });

  it('refuses a file marked UTF-16 whose bytes are not', async () => {
    expect(decodeText(Uint8Array.from([0xff, 0xfe, 0x41, 0x00, 0x00, 0xdc]))).toEqual({ ok: false, problem: expect.stringContaining('marked as UTF-16LE') });
  });

  it('refuses text already damaged into replacement characters', async () => {
    expect(decodeText(utf8('phone,name\n19900000001,\ufffd\ufffd\n'))).toEqual({ ok: false, problem: expect.stringContaining('replacement characters') });
  });
});
