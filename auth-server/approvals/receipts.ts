// Signed approval receipts: a JWS by the auth server's ES256 key over who decided what, about which
// trade, with which binding message, and when. Anyone can verify it with the server's JWKS.
import crypto from 'node:crypto';
import { epochSeconds } from '../../common/db.js';
import type { Es256Signer } from '../signing-key.js';
import type { Approval } from './store.js';

export const RECEIPT_TYP = 'approval-receipt+jwt';

export function createReceiptSigner(issuer: string, signer: Es256Signer) {
  return function signReceipt(approval: Approval, decision: 'approved' | 'denied'): Promise<string> {
    return signer.sign(RECEIPT_TYP, {
      decision,
      approval_id: approval.id,
      client_id: approval.clientId,
      agent: approval.hostClientId,
      binding_message: approval.bindingMessage,
      scope: approval.scope,
      authorization_details: approval.authorizationDetails,
      iss: issuer,
      sub: approval.accountId,
      iat: epochSeconds(),
      jti: crypto.randomUUID(),
    });
  };
}
