/**
 * @module local/token-cli
 * `npm run token -- create|list|revoke`: manage access tokens from the command line; and
 * `feed-create|feed-list|feed-revoke`: the read-only keys of the year's calendar feed.
 * Uses the running local server's database when `npm start` is up, otherwise opens the local
 * data folder itself; with `--aws` it talks to the deployed table (PUFA_TABLE_NAME, AWS credentials).
 */
import './quiet-sdk-warning.js';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commandLineActor } from '../domain/audit.js';
import { DEPLOYMENT_SCOPE, isLevelRole, roleLabels, roles, tokenGrantSchema } from '../domain/access.js';
import { Invalid } from '../domain/errors.js';
import { feedInputSchema } from '../domain/feed.js';
import { utcToLocal } from '../domain/schedule.js';
import { createFeed, revokeFeed } from '../workflows/feeds.js';
import { issueToken, revokeToken } from '../workflows/tokens.js';
import { DEFAULT_DATA_DIR } from './runtime.js';
import { runCli, UsageError } from './cli.js';
import { openTarget } from './target.js';

const USAGE = `Usage:
  npm run token -- create --role <${roles.join('|')}> --name <name> [--station <id>] [--township <id>] [--department <id>] [--expires <ISO time>] [--wechat-openid <reviewer's OpenID>] [--city <id>] [--province <id>]
  npm run token -- list [--deployment]
  npm run token -- revoke <token id> [--deployment]
  npm run token -- feed-create --label <who it is for>    a calendar feed key (the .ics link), shown once
  npm run token -- feed-list
  npm run token -- feed-revoke <feed id>
Options:
  --county <id>      county of the token (default: PUFA_COUNTY or "tianquan")
  --deployment       list or revoke the tokens above the counties (operator, city, province),
                     which create makes for those roles whatever --county says
  --data-dir <dir>   local data folder (default: ${DEFAULT_DATA_DIR})
  --aws              use the deployed table named by PUFA_TABLE_NAME with your AWS credentials`;

const commandSchema = z.enum(['create', 'list', 'revoke', 'feed-create', 'feed-list', 'feed-revoke']);

/** The option that sets a grant's field. */
const optionOf = (field: string) => ({ stationId: 'station', expiresAt: 'expires', wechatOpenId: 'wechat-openid' })[field] ?? field;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      station: { type: 'string' },
      township: { type: 'string' },
      department: { type: 'string' },
      expires: { type: 'string' },
      'wechat-openid': { type: 'string' },
      city: { type: 'string' },
      province: { type: 'string' },
      deployment: { type: 'boolean' },
      label: { type: 'string' },
      county: { type: 'string' },
      'data-dir': { type: 'string' },
      aws: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const command = commandSchema.safeParse(positionals[0]);
  if (!command.success) throw new UsageError(`Unknown or missing command "${positionals[0] ?? ''}".`);

  // Validate before opening anything, so a typo costs nothing.
  const grant =
    command.data === 'create'
      ? tokenGrantSchema.safeParse({
          role: values.role,
          name: values.name,
          stationId: values.station,
          township: values.township,
          department: values.department,
          expiresAt: values.expires,
          wechatOpenId: values['wechat-openid'],
          city: values.city,
          province: values.province,
        })
      : undefined;
  if (grant && !grant.success) {
    throw new UsageError(grant.error.issues.map((issue) => `--${optionOf(String(issue.path[0]))}: ${issue.message}`).join('\n'));
  }
  const feed = command.data === 'feed-create' ? feedInputSchema.safeParse({ label: values.label }) : undefined;
  if (feed && !feed.success) throw new UsageError(feed.error.issues.map((issue) => `--label: ${issue.message}`).join('\n'));
  const tokenId = positionals[1];
  if (command.data === 'revoke' && !tokenId) throw new UsageError('revoke needs the token id (see `list`).');
  if (command.data === 'feed-revoke' && !tokenId) throw new UsageError('feed-revoke needs the feed id (see `feed-list`).');

  if (values.deployment && grant?.success && !isLevelRole(grant.data.role)) {
    throw new UsageError(`--deployment: a ${grant.data.role} token belongs to a county (--county); only operator, city and province tokens are above the counties.`);
  }
  const target = await openTarget({ aws: values.aws ?? false, dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, county: values.county });
  try {
    const now = target.clock();
    // The operator's, a city's and a province's tokens belong to no county.
    const tokenScope = values.deployment || (grant?.success && isLevelRole(grant.data.role)) ? DEPLOYMENT_SCOPE : target.county;
    if (command.data === 'create' && grant?.success) {
      const { secret, record } = await issueToken(
        { store: target.store, timeZone: target.config.timeZone, now },
        { county: tokenScope, grant: grant.data, actor: commandLineActor('npm run token'), createdBy: 'cli' },
      ).catch((error: unknown) => {
        if (!(error instanceof Invalid)) throw error;
        // The grant's fields, as the options that set them: `body.stationId` -> `--station`.
        throw new UsageError(error.fields.map(({ field, message }) => `--${optionOf(field.split('.')[1] ?? field)}: ${message}`).join('\n'));
      });
      console.log(`Created ${roleLabels[record.role]} (${record.role}) token ${record.id} for "${record.name}" ${record.county === DEPLOYMENT_SCOPE ? 'above the counties' : `in ${record.county}`}.`);
      console.log(`Secret (shown once, keep it safe):\n${secret}`);
    } else if (command.data === 'list') {
      let cursor: string | undefined;
      do {
        const page = await target.store.tokens.list(tokenScope, { limit: 100, cursor });
        for (const token of page.items) {
          const state = token.revokedAt ? `revoked ${token.revokedAt}` : token.expiresAt ? `expires ${token.expiresAt}` : 'active';
          const scope = token.stationId
            ? ` station=${token.stationId}`
            : [token.township ? ` township=${token.township}` : '', token.department ? ` department=${token.department}` : '', token.city ? ` city=${token.city}` : '', token.province ? ` province=${token.province}` : ''].join('');
          console.log(`${token.id}  ${token.role.padEnd(8)} ${token.name}${scope}  (${state})`);
        }
        cursor = page.nextCursor;
      } while (cursor);
    } else if (command.data === 'revoke' && tokenId) {
      const revoked = await revokeToken({ store: target.store, timeZone: target.config.timeZone, now }, { county: tokenScope, tokenId, actor: commandLineActor('npm run token') });
      console.log(`Revoked ${revoked.id} (${revoked.name}) at ${revoked.revokedAt}.`);
    } else if (command.data === 'feed-create' && feed?.success) {
      const deps = { store: target.store, timeZone: target.config.timeZone, now };
      const { secret, record } = await createFeed(deps, { county: target.county, input: feed.data, actor: commandLineActor('npm run token') });
      const year = utcToLocal(now.toISOString(), target.config.timeZone).slice(0, 4);
      console.log(`Created calendar feed ${record.id} for "${record.label}" in ${record.county}.`);
      console.log(`Subscribe to (shown once; put the API's address in front):\n/plans/${year}/calendar.ics?key=${secret}`);
    } else if (command.data === 'feed-list') {
      let cursor: string | undefined;
      do {
        const page = await target.store.feeds.list(target.county, { limit: 100, cursor });
        for (const item of page.items) console.log(`${item.id}  ${item.label}  (${item.revokedAt ? `revoked ${item.revokedAt}` : 'active'})`);
        cursor = page.nextCursor;
      } while (cursor);
    } else if (command.data === 'feed-revoke' && tokenId) {
      const revoked = await revokeFeed({ store: target.store, timeZone: target.config.timeZone, now }, { county: target.county, feedId: tokenId, actor: commandLineActor('npm run token') });
      console.log(`Revoked calendar feed ${revoked.id} (${revoked.label}) at ${revoked.revokedAt ?? ''}.`);
    }
  } finally {
    await target.close();
  }
}

runCli(main, USAGE);
