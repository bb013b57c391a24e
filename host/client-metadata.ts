// The host's Client ID Metadata Document: published at a URL that is also its client_id, so an auth
// server that supports CIMD needs no registration step. The same metadata is sent for DCR.
import type { StackConfig } from '../common/config.js';
import type { HostClientIdentity } from './oauth-provider.js';

export const CLIENT_METADATA_PATH = '/oauth/client-metadata.json';
export const CALLBACK_PATH = '/oauth/callback';
export const CLIENT_NAME = 'Lab Host (ChatGPT stand-in)';

export function hostIdentity(config: StackConfig): HostClientIdentity {
  const base = config.hostApp.publicUrl;
  const redirectUri = `${base}${CALLBACK_PATH}`;
  return {
    metadataUrl: `${base}${CLIENT_METADATA_PATH}`,
    redirectUri,
    metadata: {
      client_name: CLIENT_NAME,
      client_uri: `${base}/`,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // a public client: PKCE protects the code, there is no secret to keep
      token_endpoint_auth_method: 'none',
    },
  };
}

export function clientMetadataDocument(identity: HostClientIdentity) {
  return { client_id: identity.metadataUrl, ...identity.metadata };
}
