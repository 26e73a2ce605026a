/**
 * @module workflows/tokens
 * Issuing an access token, the one way every door does it (POST /tokens, `npm run token --
 * create`, the local admin token at first start): the grant is checked (an expiry in the future,
 * a scope the registry knows), the secret made, and the record written with its audit entry in
 * one transaction. Only the secret's hash is stored; the caller shows the secret once.
 */
import { checkGrantExpiry, hashTokenSecret, newId, newTokenSecret, tokenForDisplay, tokenRecordFromGrant, type TokenGrant, type TokenRecord } from '../domain/access.js';
import { auditEntry, type AuditActor } from '../domain/audit.js';
import { Invalid } from '../domain/errors.js';
import { checkGrantScope } from '../domain/registry.js';
import type { Store } from '../store/index.js';
import { invalid } from './notices.js';

export interface IssueTokenRequest {
  county: string;
  grant: TokenGrant;
  /** Who issues it, as the audit log names them. */
  actor: AuditActor;
  /** The issuing token's id, or the tool's name (`cli`, `local-start`). */
  createdBy: string;
}

/**
 * Throws `Invalid` naming the grant's fields (`body.expiresAt`, `body.stationId`, …) when the
 * grant is already expired or its scope names what the registry does not hold.
 */
export async function issueToken(
  deps: { store: Store; timeZone: string; now: Date },
  request: IssueTokenRequest,
): Promise<{ secret: string; record: TokenRecord }> {
  const { store, now } = deps;
  const expiryProblem = checkGrantExpiry(request.grant, now);
  if (expiryProblem) throw new Invalid('The token would already be expired.', [{ field: 'body.expiresAt', message: expiryProblem }]);
  const scopeProblems = checkGrantScope(request.grant, await store.registry.get(request.county));
  if (scopeProblems.length > 0) throw invalid('The token’s scope names what is not in the registry.', scopeProblems);
  const secret = newTokenSecret();
  const record = tokenRecordFromGrant(request.grant, { id: newId('tok', now), county: request.county, createdBy: request.createdBy, now });
  const audit = auditEntry({ county: record.county, actor: request.actor, action: 'token.issue', subject: { kind: 'token', id: record.id }, after: tokenForDisplay(record), now, timeZone: deps.timeZone });
  await store.tokens.create(record, await hashTokenSecret(secret), audit);
  return { secret, record };
}

/** Revokes a token of the county (idempotent: revoking twice returns the first revocation, and files one entry). */
export async function revokeToken(deps: { store: Store; timeZone: string; now: Date }, request: { county: string; tokenId: string; actor: AuditActor }): Promise<TokenRecord> {
  const { county, tokenId, actor } = request;
  const audit = (before: TokenRecord, after: TokenRecord) =>
    auditEntry({ county, actor, action: 'token.revoke', subject: { kind: 'token', id: tokenId }, before: tokenForDisplay(before), after: tokenForDisplay(after), now: deps.now, timeZone: deps.timeZone });
  return deps.store.tokens.revoke(county, tokenId, deps.now, audit);
}
