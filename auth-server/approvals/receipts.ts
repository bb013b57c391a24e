// Signed approval receipts: a JWS by the auth server's ES256 key over who decided what, about which
// trade, with which binding message, and when. Anyone can verify it with the server's JWKS.
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import type { PrivateJwks } from '../keys.js';
import type { Approval } from './store.js';

export const RECEIPT_TYP = 'approval-receipt+jwt';

export function createReceiptSigner(issuer: string, jwks: PrivateJwks) {
  const jwk = jwks.keys.find((k) => k.alg === 'ES256')!;
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const kid = (jwk as any).kid as string;

  return function signReceipt(approval: Approval, decision: 'approved' | 'denied'): Promise<string> {
    return new SignJWT({
      decision,
      approval_id: approval.id,
      client_id: approval.clientId,
      agent: approval.hostClientId,
      binding_message: approval.bindingMessage,
      scope: approval.scope,
      authorization_details: approval.authorizationDetails,
    })
      .setProtectedHeader({ alg: 'ES256', typ: RECEIPT_TYP, kid })
      .setIssuer(issuer)
      .setSubject(approval.accountId)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .sign(key);
  };
}
