// client_secret_basic headers (RFC 6749 §2.3.1): what the MCP server and the tests write is what the
// auth server reads back, and anything malformed reads as no credentials at all, never as an exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basicAuthorization, parseBasicAuthorization } from '../basic-auth.js';

const raw = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('HTTP Basic client authentication', () => {
  it('reads back what it writes, characters that need form-encoding included', () => {
    for (const [id, secret] of [['mcp-server', 's3cret'], ['https://agent.example/client', 'a:b c+d%e/f=g&h']]) {
      assert.deepEqual(parseBasicAuthorization(basicAuthorization(id, secret)), { id, secret });
    }
  });

  it('decodes + as a space, takes the scheme in any case, and splits at the first colon', () => {
    assert.deepEqual(parseBasicAuthorization(raw('my+client:pass+word')), { id: 'my client', secret: 'pass word' });
    assert.deepEqual(parseBasicAuthorization(raw('id:a:b').replace('Basic', 'bAsIc')), { id: 'id', secret: 'a:b' });
  });

  it('reads anything malformed as no credentials', () => {
    for (const header of [
      undefined, '', 'Bearer abc', 'Basic', 'Basic not*base64', raw('no-colon'), raw('id:%zz'), raw('id:tab\there'), raw('idé:x'),
    ]) {
      assert.equal(parseBasicAuthorization(header), undefined, String(header));
    }
  });
});
