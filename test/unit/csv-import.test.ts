import { describe, expect, it } from 'vitest';
import { parseStations, parseSubscribers } from '../../functions/domain/csv-import.js';
import type { Registry } from '../../functions/domain/registry.js';

const registry: Registry = {
  townships: [{ id: 'chengxiang', name: '城厢镇' }, { id: 'shiyang', name: '始阳镇' }],
  villages: [{ id: 'xiangyang', township: 'chengxiang', name: '向阳村' }, { id: 'qiaotou', township: 'shiyang', name: '桥头村' }],
  stations: [],
  groups: ['企业', '村干部'],
  departments: [],
  placements: [],
};

describe('parseSubscribers', () => {
  it('reads Chinese headers after a BOM, names or ids, and any usual number format', async () => {
    const text = '\ufeff手机号码,乡镇,村,群体,是否同意,姓名\n199 0000 0001,城厢镇,向阳村,企业；村干部,是,张三\n+86-199-0000-0002,shiyang,qiaotou,,否,\n';
    const parsed = await parseSubscribers(text, registry);
    expect(parsed.ok && parsed.rejected).toEqual([]);
    expect(parsed.ok && parsed.rows).toEqual([
      { line: 2, phone: '+8619900000001', township: 'chengxiang', village: 'xiangyang', groups: ['企业', '村干部'], consent: true, name: '张三' },
      { line: 3, phone: '+8619900000002', township: 'shiyang', village: 'qiaotou', groups: [], consent: false },
    ]);
  });

  it('rejects each bad row with its line and reason, and keeps the good ones', async () => {
    const text = [
      'phone,township,village,groups,consent',
      '19900000001,chengxiang,xiangyang,,是',
      '010-12345678,chengxiang,xiangyang,,是',
      '19900000002,nowhere,xiangyang,,是',
      '19900000003,shiyang,xiangyang,,是',
      '19900000004,chengxiang,xiangyang,渔民,是',
      '19900000005,chengxiang,xiangyang,,maybe',
      '199 0000 0001,chengxiang,xiangyang,,是',
      '',
      '"19900000006","chengxiang","xiangyang","企业,村干部",是',
    ].join('\n');
    const parsed = await parseSubscribers(text, registry);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.rows.map((row) => row.line)).toEqual([2, 10]);
    expect(parsed.rows[1]?.groups).toEqual(['企业', '村干部']);
    expect(parsed.rejected).toEqual([
      { line: 3, reason: expect.stringContaining('not a mainland mobile number') },
      { line: 4, reason: 'unknown township "nowhere"' },
      { line: 5, reason: 'village "xiangyang" is not in 始阳镇' },
      { line: 6, reason: 'unknown group "渔民"' },
      { line: 7, reason: 'consent must be 是 or 否, not "maybe"' },
      { line: 8, reason: 'the same number as line 2' },
    ]);
  });

  it('refuses a file whose header lacks a column it needs, or that is not CSV', async () => {
    expect(await parseSubscribers('手机号,村\n19900000001,向阳村\n', registry)).toEqual({ ok: false, problem: expect.stringContaining('township') });
    expect(await parseSubscribers('phone,township,village,consent\n"unclosed,chengxiang,xiangyang,是\n', registry)).toMatchObject({ ok: false, problem: expect.stringContaining('not readable as CSV') });
  });

  it('never takes consent for granted: a file without a consent column is refused, a blank cell rejects its row', async () => {
    expect(await parseSubscribers('手机号,乡镇,村,姓名\n19900000001,城厢镇,向阳村,张三\n', registry)).toEqual({ ok: false, problem: 'the header row lacks: 同意 (consent)' });
    const parsed = await parseSubscribers('phone,township,village,consent\n19900000001,chengxiang,xiangyang,\n19900000002,chengxiang,xiangyang,否\n', registry);
    expect(parsed.ok && parsed.rejected).toEqual([{ line: 2, reason: 'consent (同意) is blank: write 是 or 否' }]);
    expect(parsed.ok && parsed.rows.map((row) => [row.phone, row.consent])).toEqual([['+8619900000002', false]]);
  });
});

describe('parseStations', () => {
  it('reads stations with operator contact and push endpoint, rejecting bad rows', async () => {
    const text = [
      '编号,名称,所属村,管理员,联系电话,推送地址',
      'st-1,向阳村广播站,向阳村,李四,13800138000,https://example.org/push',
      'st 2,坏编号,向阳村,,,',
      'st-3,无村,无名村,,,',
      'st-4,坏电话,桥头村,,12,',
      'st-1,重复,向阳村,,,',
    ].join('\n');
    const parsed = await parseStations(text, registry);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.rows).toEqual([
      { line: 2, id: 'st-1', name: '向阳村广播站', village: 'xiangyang', operator: '李四', contact: '+8613800138000', pushEndpoint: 'https://example.org/push' },
    ]);
    expect(parsed.rejected.map((rejected) => rejected.line)).toEqual([3, 4, 5, 6]);
    expect(parsed.rejected[0]?.reason).toMatch(/^id: /);
  });
});
