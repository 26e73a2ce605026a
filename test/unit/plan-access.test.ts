import { describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/domain/access.js';
import { Forbidden } from '../../functions/domain/errors.js';
import { checkPlanLoad, settingsChanged, templateChanges, type PlanLoadScope } from '../../functions/domain/plan-access.js';
import { resolveSettings } from '../../functions/domain/plan.js';
import { registrySchema } from '../../functions/domain/registry.js';

const registry = registrySchema.parse({
  townships: [{ id: 'chengxiang', name: '城厢镇' }, { id: 'shiyang', name: '始阳镇' }],
  villages: [{ id: 'cx-1', township: 'chengxiang', name: '向阳村' }],
});
const caller = (role: Caller['role'], township?: string): { kind: 'caller'; caller: Caller } => ({
  kind: 'caller',
  caller: { tokenId: `tok_${role}`, county: 'c', role, name: role, ...(township ? { township } : {}) },
});
const audience = (townships: string[], all = false) => ({ all, townships, villages: [], groups: [] });
const nothing: PlanLoadScope = { templates: { changed: [], textChanged: [] }, settingsChanged: false, registry: false, planYearChanged: false, notices: [], campaigns: [] };

describe('who may load what through a plan', () => {
  it('keeps templates, settings and the registry for admins and the command line', () => {
    for (const scope of [{ ...nothing, templates: { changed: ['t'], textChanged: ['t'] } }, { ...nothing, settingsChanged: true }, { ...nothing, registry: true }]) {
      expect(() => checkPlanLoad(caller('staff'), scope, registry)).toThrow(Forbidden);
      expect(() => checkPlanLoad(caller('admin'), scope, registry)).not.toThrow();
      expect(() => checkPlanLoad({ kind: 'system' }, scope, registry)).not.toThrow();
    }
  });

  it('lets a township token change only its township’s content, and not the year plan', () => {
    const local = caller('staff', 'chengxiang');
    expect(() => checkPlanLoad(local, { ...nothing, notices: [{ campaignId: 'c', id: 'n', audience: audience(['chengxiang']) }] }, registry)).not.toThrow();
    expect(() => checkPlanLoad(local, { ...nothing, notices: [{ campaignId: 'c', id: 'n', audience: audience([], true) }] }, registry)).toThrow(/c\/n/);
    expect(() => checkPlanLoad(local, { ...nothing, campaigns: [{ id: 'c', audiences: [{ id: 'n', audience: audience(['shiyang']) }] }] }, registry)).toThrow(/campaigns c/);
    expect(() => checkPlanLoad(local, { ...nothing, planYearChanged: true }, registry)).toThrow(Forbidden);
    expect(() => checkPlanLoad(caller('staff'), { ...nothing, planYearChanged: true, notices: [{ campaignId: 'c', id: 'n', audience: audience([], true) }] }, registry)).not.toThrow();
  });

  it('sees a template as changed only when it differs, and its text separately from its code', () => {
    const stored = [{ id: 'a', code: 'SMS_1', text: '甲${x}' }, { id: 'b', text: '乙' }];
    expect(templateChanges(stored, stored)).toEqual({ changed: [], textChanged: [] });
    expect(templateChanges(stored, [{ id: 'a', code: 'SMS_2', text: '甲${x}' }, { id: 'b', text: '乙!' }, { id: 'c', text: '丙' }])).toEqual({ changed: ['a', 'b', 'c'], textChanged: ['b', 'c'] });
  });

  it('compares the settings in effect, defaults included', () => {
    const defaults = { settings: resolveSettings(undefined), timeZone: 'Asia/Shanghai' };
    expect(settingsChanged(defaults, { settings: resolveSettings({ sms: {} }), timeZone: 'Asia/Shanghai' })).toBe(false);
    expect(settingsChanged(defaults, { settings: resolveSettings({ sms: { signature: '天全普法' } }), timeZone: 'Asia/Shanghai' })).toBe(true);
    expect(settingsChanged(defaults, { settings: resolveSettings(undefined), timeZone: 'Asia/Urumqi' })).toBe(true);
  });
});
