import { describe, expect, it } from 'vitest';
import { audienceSchema } from '../../functions/domain/planning.js';
import { audienceWithinTownship, checkAudience, checkDepartments, checkPlacements, checkRegistry, type Registry } from '../../functions/domain/registry.js';

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
  placements: [],
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
    const addition: Registry = { townships: [], villages: [{ id: 'new', township: 'shiyang', name: '新村' }], stations: [], groups: [], departments: [], placements: [] };
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

describe('placements (标语, 宣传栏, LED)', () => {
  const withPlacements: Registry = {
    ...registry,
    placements: [
      { id: 'led-1', name: '广场LED屏', kind: 'led', township: 'chengxiang' },
      { id: 'board-1', name: '村宣传栏', kind: 'bulletin', township: 'chengxiang', village: 'xiangyang' },
    ],
  };

  it('sit in a known township, and a village of that township', () => {
    expect(checkRegistry(withPlacements)).toEqual([]);
    const broken: Registry = {
      ...registry,
      placements: [
        { id: 'p1', name: 'x', kind: 'banner', township: 'nowhere' },
        { id: 'p2', name: 'y', kind: 'banner', township: 'shiyang', village: 'xiangyang' },
        { id: 'p2', name: 'z', kind: 'led', township: 'shiyang', village: 'atlantis' },
      ],
    };
    expect(checkRegistry(broken)).toEqual([
      { path: ['placements', 2, 'id'], message: '"p2" is listed twice' },
      { path: ['placements', 0, 'township'], message: 'unknown township "nowhere"' },
      { path: ['placements', 1, 'village'], message: '"xiangyang" is not in township "shiyang"' },
      { path: ['placements', 2, 'village'], message: 'unknown village "atlantis"' },
    ]);
  });

  it('are named by activities of their own kind and township only', () => {
    expect(checkPlacements({ kind: 'led', township: 'chengxiang', placements: ['led-1'] }, withPlacements)).toEqual([]);
    expect(checkPlacements({ kind: 'event', township: 'chengxiang' }, withPlacements)).toEqual([]);
    expect(checkPlacements({ kind: 'event', township: 'chengxiang', placements: ['led-1'] }, withPlacements)).toEqual([
      { path: ['placements'], message: 'only 标语 (banner), 宣传栏 (bulletin) and LED (led) activities name placements, not "event"' },
    ]);
    expect(checkPlacements({ kind: 'bulletin', township: 'shiyang', placements: ['led-1', 'board-1', 'gone'] }, withPlacements)).toEqual([
      { path: ['placements', 0], message: '"led-1" is a led placement, not bulletin' },
      { path: ['placements', 1], message: '"board-1" is in township "chengxiang", not "shiyang"' },
      { path: ['placements', 2], message: 'unknown placement "gone"' },
    ]);
  });
});
