// What the token exchange steps learn about a request, passed from one step to the next.
import type { OwnToken } from '../own-tokens.js';

export const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** the `gty` an exchanged token carries inside oidc-provider */
export const EXCHANGE_GTY = 'token_exchange';
export const PARAMETERS = [
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
  'resource', 'audience', 'scope', 'requested_token_type',
];

export interface ExchangeState {
  params: Record<string, any>;
  client: any;
  subject?: OwnToken;
  /** the grant the subject token was issued under: the new token joins it */
  subjectGrantId?: string;
  /** who will act with the new token */
  actor?: string;
  resource?: string;
  scopes?: string[];
}

export type ExchangeStep = (state: ExchangeState) => Promise<void> | void;
