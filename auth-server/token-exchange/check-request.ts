// Step 1 — the request is well-formed (RFC 8693 §2.1):
//  - subject_token present; subject_token_type is an access token or JWT type
//  - actor_token_type present exactly when actor_token is
//  - requested_token_type, if given, is an access token
import { InvalidRequest } from './errors.js';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, type ExchangeStep } from './state.js';

const TOKEN_TYPES = new Set([ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE]);

export const checkRequest: ExchangeStep = ({ params }) => {
  if (!params.subject_token) throw new InvalidRequest('missing required parameter subject_token');
  if (!TOKEN_TYPES.has(params.subject_token_type)) {
    throw new InvalidRequest('subject_token_type must be urn:ietf:params:oauth:token-type:access_token or :jwt');
  }
  if (params.actor_token && !TOKEN_TYPES.has(params.actor_token_type)) {
    throw new InvalidRequest('actor_token_type must accompany actor_token and be an access token or jwt type');
  }
  if (!params.actor_token && params.actor_token_type) throw new InvalidRequest('actor_token_type given without actor_token');
  if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new InvalidRequest('only access tokens can be requested');
  }
};
