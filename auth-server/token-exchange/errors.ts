// The errors token exchange answers with. oidc-provider's InvalidGrant keeps its reason server-side
// (error_description is always "grant request is invalid"); a token exchange caller is an
// authenticated client, and telling it which check failed is what makes the lab teachable.
import { errors } from 'oidc-provider';

export function invalidGrant(reason: string): Error {
  const err = new errors.InvalidGrant(reason);
  err.error_description = reason;
  return err;
}

export const { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient } = errors;
