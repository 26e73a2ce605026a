import { describe, expect, it } from 'vitest';
import { audienceSchema } from '../../functions/domain/planning.js';
import { audienceWithinTownship, checkAudience, checkDepartments, checkRegistry, type Registry } from '../../functions/domain/registry.js';

const registry: Registry = {
  townships: [
    { id: 'chengxiang', name: '城厢镇' },
    { id: 'shiyang', name: '始阳镇' },
  ],
  villages: [
    { id: 'xiangyang', township: 'chengxiang', name: '向阳村' },
    { id: 'qiaotou', township: 'shiyang', name: '桥头村' },
  ],
  stations: [{ id: 'st-1', village: 'xiangyang', name: '向阳村广播站' }],
  groups: ['企业'],
  departments: [],
};
const audience = (value: unknown) => audienceSchema.parse(value);

describe('checkRegistry', () => {
  it('accepts a consistent registry', () => {
    expect(checkRegistry(registry)).toEqual([]);
  });

  it('names dangling references and duplicate ids by path', () => {
    const broken: Registry = {
      ...registry,
      villages: [...registry.villages, { id: 'xiangyang', township: 'nowhere', name: '重复' }],
      stations: [{ id: 'st-9', village: 'atlantis', name: 'x' }],
    };
    expect(checkRegistry(broken)).toEqual([
      { path: ['villages', 2, 'id'], message: '"xiangyang" is listed twice' },
      { path: ['villages', 2, 'township'], message: 'unknown township "nowhere"' },
      { path: ['stations', 0, 'village'], message: 'unknown village "atlantis"' },
    ]);
  });

  it('resolves references against what will be stored', () => {
    const addition: Registry = { townships: [], villages: [{ id: 'new', township: 'shiyang', name: '新村' }], stations: [], groups: [], departments: [] };
    expect(checkRegistry(addition)).toHaveLength(1);
    expect(checkRegistry(addition, { ...registry, villages: [...registry.villages, ...addition.villages] })).toEqual([]);
  });
});

describe('checkAudience', () => {
  it('names unknown townships, villages and groups', () => {
    const problems = checkAudience(audience({ townships: ['chengxiang', 'x'], villages: ['y'], groups: ['企业', '渔民'] }), registry, 'sms');
    expect(problems).toEqual([
      { path: ['townships', 1], message: 'unknown township "x"' },
      { path: ['villages', 0], message: 'unknown village "y"' },
      { path: ['groups', 1], message: 'unknown subscriber group "渔民"' },
    ]);
  });

  it('keeps subscriber groups out of broadcasts', () => {
    expect(checkAudience(audience({ groups: ['企业'] }), registry, 'broadcast')).toEqual([
      { path: ['groups'], message: 'broadcasts reach stations, not subscriber groups' },
    ]);
  });

  it('wants somebody to address', () => {
    expect(audienceSchema.safeParse({}).success).toBe(false);
    expect(audienceSchema.safeParse({ all: true }).success).toBe(true);
  });
});

describe('audienceWithinTownship', () => {
  it('allows the township and its villages only', () => {
    expect(audienceWithinTownship(audience({ townships: ['chengxiang'], villages: ['xiangyang'] }), 'chengxiang', registry)).toBe(true);
    expect(audienceWithinTownship(audience({ villages: ['qiaotou'] }), 'chengxiang', registry)).toBe(false);
    expect(audienceWithinTownship(audience({ all: true }), 'chengxiang', registry)).toBe(false);
    expect(audienceWithinTownship(audience({ groups: ['企业'] }), 'chengxiang', registry)).toBe(false);
  });
});

describe('checkDepartments', () => {
  const withDepartments: Registry = { ...registry, departments: [{ id: 'gongan', name: '县公安局' }, { id: 'sifa', name: '县司法局' }] };

  it('accepts the registry’s departments, and none', () => {
    expect(checkDepartments(['gongan', 'sifa'], withDepartments)).toEqual([]);
    expect(checkDepartments([], withDepartments)).toEqual([]);
  });

  it('names each unknown department by its place in the list', () => {
    expect(checkDepartments(['gongan', 'shuiwu', 'sifa', 'Gongan'], withDepartments)).toEqual([
      { path: ['departments', 1], message: 'unknown department "shuiwu"' },
      { path: ['departments', 3], message: 'unknown department "Gongan"' },
    ]);
    expect(checkDepartments(['gongan'], registry)).toHaveLength(1);
  });
});
