// A DPoP client in Node.js 20+ with nothing but its built-in WebCrypto:
//   GATEWAY=http://localhost:5100 EMAIL=trader@example.com PASSWORD=... node docs/dpop-client.mjs
// Logs in with a DPoP proof, then reads the trader's accounts with the bound token.
const { subtle } = globalThis.crypto;
const gateway = process.env.GATEWAY ?? 'http://localhost:5100';
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const json64 = (value) => b64url(Buffer.from(JSON.stringify(value)));

// One key pair per client (keep it for the life of the session: the tokens are bound to it).
const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
const { kty, crv, x, y } = await subtle.exportKey('jwk', keys.publicKey);

async function proof(method, url, accessToken) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } };
  const claims = { jti: crypto.randomUUID(), htm: method, htu: url.split(/[?#]/)[0], iat: Math.floor(Date.now() / 1000) };
  if (accessToken) claims.ath = b64url(await subtle.digest('SHA-256', Buffer.from(accessToken)));
  const input = `${json64(header)}.${json64(claims)}`;
  const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, Buffer.from(input));
  return `${input}.${b64url(signature)}`; // WebCrypto's ECDSA signature is already JWS's r||s form
}

const loginUrl = `${gateway}/api/v1/auth/login`;
const login = await fetch(loginUrl, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', DPoP: await proof('POST', loginUrl) },
  body: JSON.stringify({ email: process.env.EMAIL, password: process.env.PASSWORD }),
});
const tokens = await login.json();
console.log('login', login.status, 'token_type', tokens.token_type);

const accountsUrl = `${gateway}/api/v1/trading/accounts`;
const accounts = await fetch(accountsUrl, {
  headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: await proof('GET', accountsUrl, tokens.access_token) },
});
console.log('accounts', accounts.status, await accounts.text());
