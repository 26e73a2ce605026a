/**
 * The year's feed keeps each public event's UID when other events of its campaign come and go,
 * so a subscribed calendar updates the right event.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { yearFeed } from '../../functions/domain/ics.js';
import type { CampaignRecord, PublicEvent } from '../../functions/domain/planning.js';

const outreach: PublicEvent = { kind: 'outreach', date: '2031-03-15', from: '09:00', to: '11:00', place: '城厢镇文化广场', township: 'chengxiang' };
const lecture: PublicEvent = { kind: 'lecture', date: '2031-03-16', place: '始阳镇中心小学' };

const campaign = (events: PublicEvent[]): CampaignRecord => ({
  id: 'c-0315', county: 'feed', year: 2031, title: '3·15', theme: 'consumer-rights', window: { start: '2031-03-08', end: '2031-03-21' },
  events, state: 'active', source: 'api', version: 1, createdAt: '2031-01-01T00:00:00Z', updatedAt: '2031-01-02T00:00:00Z', createdBy: { tokenId: 't', name: 'x' },
});

const eventUids = (events: PublicEvent[]) => {
  const text = yearFeed({ county: 'feed', year: 2031, timeZone: 'Asia/Shanghai', plan: undefined, campaigns: [campaign(events)], notices: new Map() });
  return new ICAL.Component(ICAL.parse(text))
    .getAllSubcomponents('vevent')
    .map((vevent) => new ICAL.Event(vevent))
    .filter((event) => event.uid.startsWith('event-'))
    .map((event) => [event.location, event.uid] as const);
};

describe('public events in the feed', () => {
  it('keep their UID when another event of the campaign is removed', () => {
    const both = new Map(eventUids([outreach, lecture]));
    const lectureAlone = new Map(eventUids([lecture]));
    expect(both.size).toBe(2);
    expect(lectureAlone.get('始阳镇中心小学')).toBe(both.get('始阳镇中心小学'));
  });
});
