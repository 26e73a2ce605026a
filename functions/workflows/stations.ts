/**
 * @module workflows/stations
 * Which stations are in touch: each station's last contact (every scripts pull records one) and
 * whether it came today, in the county's time zone. Stations are often offline; this is how the
 * county office sees which villages have not fetched today's scripts.
 */
import type { Config } from '../config.js';
import { utcToLocal } from '../domain/schedule.js';
import type { Store } from '../store/index.js';

export interface StationContact {
  id: string;
  name: string;
  village: string;
  lastContactAt?: string;
  contactedToday: boolean;
}

export async function stationContacts(deps: { store: Store; config: Pick<Config, 'timeZone'>; now: Date }, county: string): Promise<StationContact[]> {
  const [registry, contacts] = await Promise.all([deps.store.plans.getRegistry(county), deps.store.plans.stationContacts(county)]);
  const localDay = (iso: string) => utcToLocal(iso, deps.config.timeZone).slice(0, 10);
  const today = localDay(deps.now.toISOString());
  return registry.stations.map((station) => {
    const lastContactAt = contacts.get(station.id);
    return {
      id: station.id,
      name: station.name,
      village: station.village,
      ...(lastContactAt ? { lastContactAt } : {}),
      contactedToday: lastContactAt !== undefined && localDay(lastContactAt) === today,
    };
  });
}
