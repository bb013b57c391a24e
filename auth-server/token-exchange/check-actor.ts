// Step 3 — who acts, and whether the user's token lets them (RFC 8693 §4.1, §4.4):
//  - the actor is the actor token's subject if one is given (it must be ours and name the
//    authenticated client), otherwise the authenticated client
//  - the subject token's may_act must name exactly that actor
//  - the resulting act chain must stay within the configured depth
import { chainDepth, OwnTokenError, type OwnTokenVerifier } from '../own-tokens.js';
import { invalidGrant } from './errors.js';
import type { ExchangeStep } from './state.js';

export function checkActor(verify: OwnTokenVerifier, actorAudiences: string[], maxDepth: number): ExchangeStep {
  return async (state) => {
    const clientId: string = state.client.clientId;
    let actor = clientId;
    if (state.params.actor_token) {
      try {
        actor = (await verify(state.params.actor_token, actorAudiences)).claims.sub;
      } catch (err) {
        if (err instanceof OwnTokenError) throw invalidGrant(`actor_token: ${err.message}`);
        throw err;
      }
      if (actor !== clientId) throw invalidGrant('actor_token subject is not the authenticated client');
    }
    const mayAct = state.subject!.may_act;
    if (!mayAct?.sub) throw invalidGrant('subject_token has no may_act claim: nobody may act with it');
    if (mayAct.sub !== actor) throw invalidGrant(`subject_token may_act does not name ${actor}`);
    if (chainDepth(state.subject!.act) + 1 > maxDepth) {
      throw invalidGrant(`delegation chain would be deeper than ${maxDepth} actors`);
    }
    state.actor = actor;
  };
}
