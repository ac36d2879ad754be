import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceAndRegionFromHost, signV4 } from '../../../src/auth/aws-sigv4.js';
import { digestAuthorization, parseDigestChallenge } from '../../../src/auth/digest.js';
import { grantFor } from '../../../src/auth/oauth/session.js';
import { loadOptions } from '../../../src/options/index.js';

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): credentials, date and expected signatures.
const SUITE = { accessKey: 'AKIDEXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 'service' };
const DATE = new Date('2015-08-30T12:36:00Z');

test('SigV4 reproduces the published test vectors', () => {
  const cases = [
    { name: 'get-vanilla', method: 'GET', url: 'https://example.amazonaws.com/', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
    { name: 'get-vanilla-query-order-key-case', method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1', signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
    { name: 'post-vanilla', method: 'POST', url: 'https://example.amazonaws.com/', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  ];
  for (const c of cases) {
    const h = signV4({ method: c.method, url: c.url, headers: {} }, SUITE, DATE);
    assert.equal(h['x-amz-date'], '20150830T123600Z', c.name);
    assert.equal(h.authorization, `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${c.signature}`, c.name);
  }
  assert.equal(signV4({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {} }, { ...SUITE, sessionToken: 'tok' }, DATE)['x-amz-security-token'], 'tok');
  assert.deepEqual(serviceAndRegionFromHost('abc123.execute-api.eu-west-1.amazonaws.com'), { service: 'execute-api', region: 'eu-west-1' });
  assert.deepEqual(serviceAndRegionFromHost('dynamodb.us-east-2.amazonaws.com'), { service: 'dynamodb', region: 'us-east-2' });
  assert.deepEqual(serviceAndRegionFromHost('api.example.com'), {});
});

test('Digest reproduces RFC 7616 §3.9.1 (MD5 and SHA-256)', () => {
  const challenge = (algorithm: string) =>
    parseDigestChallenge(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`)!;
  const response = (algorithm: string) => /response="([0-9a-f]+)"/.exec(digestAuthorization(challenge(algorithm), 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html', 1, 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ'))![1];
  assert.equal(response('MD5'), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(response('SHA-256'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  const header = digestAuthorization(challenge('SHA-256'), 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html', 1, 'c');
  assert.match(header, /qop=auth, nc=00000001, cnonce="c"/);
  assert.match(header, /opaque="FQhe\/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"/);
  assert.equal(parseDigestChallenge('Basic realm="x"'), undefined);
});

test('AuthenticationMethod=24 infers the grant in the documented order', () => {
  const g = (extra: string) => grantFor(loadOptions({ connect: `AuthenticationMethod=24;TokenURI=https://as/t;ClientID=c;${extra}`, env: {} }));
  assert.equal(g('OAuthCode=x;RefreshToken=r;User=u;Password=p'), 'code');
  assert.equal(g('RefreshToken=r;User=u;Password=p'), 'refresh_token');
  assert.equal(g('User=u;Password=p;ClientSecret=s'), 'password');
  assert.equal(g('JWTCertStore=/k.pem;ClientSecret=s'), 'jwt_bearer');
  assert.equal(g('AuthURI=https://as/a;RedirectURI=http://localhost:8080;ClientSecret=s'), 'pkce');
  assert.equal(g('ClientSecret=s'), 'client_credentials');
  assert.throws(() => g(''), /cannot tell which grant/);
});
