// The host's OAuthClientProvider for the MCP SDK: one per browser session and MCP server, all in server
// memory. It registers by Client ID Metadata Document when the auth server advertises support (the
// document's URL simply is the client_id; the SDK's own `clientMetadataUrl` insists on https, so we
// answer clientInformation() ourselves), and by Dynamic Client Registration otherwise. Instead of
// redirecting, it keeps the authorization URL and a fresh `state` for the browser popup.
import crypto from 'node:crypto';
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeClaims } from './claims.js';

export type RegistrationMode = 'auto' | 'dcr';
export type RegistrationMethod = 'cimd' | 'dcr';

export interface HostClientIdentity {
  /** URL of the host's Client ID Metadata Document (also its client_id there) */
  metadataUrl: string;
  redirectUri: string;
  metadata: OAuthClientMetadata;
}

export class HostOAuthProvider implements OAuthClientProvider {
  registration?: RegistrationMethod;
  authorizationUrl?: URL;
  private info?: OAuthClientInformationMixed;
  private savedTokens?: OAuthTokens;
  private verifier = '';
  private pendingState?: string;
  private discovery?: OAuthDiscoveryState;

  constructor(private readonly identity: HostClientIdentity, readonly mode: RegistrationMode) {}

  get redirectUrl() {
    return this.identity.redirectUri;
  }
  get clientMetadata() {
    return this.identity.metadata;
  }

  state() {
    this.pendingState = crypto.randomBytes(24).toString('base64url');
    return this.pendingState;
  }

  /** true once, for the state of the authorization request in flight */
  consumeState(state: string | null): boolean {
    const expected = this.pendingState;
    this.pendingState = undefined;
    if (!expected || !state || expected.length !== state.length) return false;
    return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(state));
  }

  clientInformation() {
    if (this.info) return this.info;
    const asMetadata = this.discovery?.authorizationServerMetadata;
    if (this.mode === 'auto' && asMetadata?.client_id_metadata_document_supported === true) {
      // the SDK calls this right after discovery, so the auth server's metadata is known here
      this.info = { client_id: this.identity.metadataUrl, issuer: this.discovery!.authorizationServerUrl };
      this.registration = 'cimd';
    }
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    // called after DCR, and again by the SDK to stamp the issuer on what we returned
    if (!this.registration) this.registration = 'dcr';
    this.info = info;
  }

  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
    this.authorizationUrl = undefined;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.savedTokens = undefined;
    if (scope === 'all' || scope === 'client') {
      this.info = undefined;
      this.registration = undefined;
    }
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }

  /** the issuer the authorization response must name (RFC 9207), and whether the server promises `iss` */
  expectedIssuer(): { issuer?: string; required: boolean } {
    const meta = this.discovery?.authorizationServerMetadata as Record<string, unknown> | undefined;
    return { issuer: meta?.issuer as string | undefined, required: meta?.authorization_response_iss_parameter_supported === true };
  }

  /** what the UI may know about the sign-in: client id, how it registered, decoded claims of the token */
  describe() {
    const claims = decodeClaims(this.savedTokens?.access_token);
    return {
      clientId: this.info?.client_id,
      registration: this.registration,
      issuer: this.discovery?.authorizationServerUrl,
      signedIn: Boolean(this.savedTokens),
      user: typeof claims?.sub === 'string' ? claims.sub : undefined,
      scope: typeof claims?.scope === 'string' ? claims.scope : this.savedTokens?.scope,
      expiresAt: typeof claims?.exp === 'number' ? claims.exp : undefined,
      claims,
    };
  }
}
