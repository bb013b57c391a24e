// Step 2 — the subject token is one of ours and still good: signature, issuer, typ, expiry,
// an audience that can be exchanged (a resource whose tokens name a may_act party), not revoked.
// Any failure is invalid_grant (RFC 8693 §2.2.2).
import { OwnTokenError, type OwnTokenVerifier } from '../own-tokens.js';
import { invalidGrant } from './errors.js';
import type { ExchangeStep } from './state.js';

export function verifySubject(verify: OwnTokenVerifier, exchangeableAudiences: string[]): ExchangeStep {
  return async (state) => {
    try {
      ({ claims: state.subject, grantId: state.subjectGrantId } = await verify(state.params.subject_token, exchangeableAudiences));
    } catch (err) {
      if (err instanceof OwnTokenError) throw invalidGrant(`subject_token: ${err.message}`);
      throw err;
    }
  };
}
