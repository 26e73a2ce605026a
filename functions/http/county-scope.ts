/**
 * @module http/county-scope
 * A request's view of the deployment is its caller's county: once the caller is known, the
 * dependencies' config names the caller's county, and its time zone, name and SMS signature come
 * from the county's record (cached for a minute per process). A county without a record — a
 * single-county deployment from before counties were data — keeps the deployment's time zone.
 *
 * The WeChat official account is the deployment's home county's (PUFA_COUNTY) alone: another
 * county's requests see none, so its articles can never go out through the home county's account.
 * Tokens above the counties (operator, city, province) see no county at all (`DEPLOYMENT_SCOPE`)
 * and no account: their routes name the counties they read.
 */
import { DEPLOYMENT_SCOPE, isLevelRole, type Caller } from '../domain/access.js';
import type { AppDeps } from './env.js';

export async function depsForCaller(deps: AppDeps, caller: Caller): Promise<AppDeps> {
  const home = deps.config.county;
  if (isLevelRole(caller.role)) return { ...deps, config: { ...deps.config, county: DEPLOYMENT_SCOPE }, wechat: undefined };
  const record = await deps.store.counties.settings(caller.county, deps.clock());
  return {
    ...deps,
    config: {
      ...deps.config,
      county: caller.county,
      timeZone: record?.timeZone ?? deps.config.timeZone,
      countyName: record?.name,
      smsSignature: record?.smsSignature,
    },
    wechat: caller.county === home ? deps.wechat : undefined,
  };
}
