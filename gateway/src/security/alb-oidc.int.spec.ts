/**
 * alb-oidc mode trusts only identities signed by the configured ALB: a real ES256 key pair, its
 * public key served over HTTP the way the ALB key endpoint serves it, and tokens built like the
 * ALB's x-amzn-oidc-data header (ES256, `kid` and `signer` in the header, base64 padding kept).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { type GatewayHarness, startGateway } from '../../test/gateway-harness';

const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/eks-info/50dc6c495c0c9188';
const OTHER_ALB = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/other/1111111111111111';

let keyServer: Server;
let keyRequests = 0;
let gw: GatewayHarness;
let sign: (claims: Record<string, unknown>, header?: Record<string, unknown>, expiresIn?: string) => Promise<string>;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const pem = await exportSPKI(publicKey);
  keyServer = createServer((req, res) => {
    keyRequests++;
    if (req.url === '/key-1') res.writeHead(200, { 'content-type': 'text/plain' }).end(pem);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => keyServer.listen(0, '127.0.0.1', r));
  const { port } = keyServer.address() as AddressInfo;
  sign = async (claims, header = {}, expiresIn = '2m') => {
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1', signer: ALB, ...header })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
    // ALB tokens carry base64 padding; the verifier must cope with it.
    return jwt
      .split('.')
      .map((p, i) => (i < 2 ? p + '='.repeat((4 - (p.length % 4)) % 4) : p))
      .join('.');
  };
  gw = await startGateway({ AUTH_MODE: 'alb-oidc', ALB_OIDC_SIGNER_ARN: ALB, ALB_OIDC_KEY_URL: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await gw?.close();
  keyServer?.close();
});

const get = (headers: Record<string, string> = {}) => fetch(`${gw.url}/`, { headers });

it('accepts a token signed by the configured ALB and shows the user', async () => {
  const res = await get({ 'x-amzn-oidc-data': await sign({ sub: 'u-1', email: 'ops@example.com' }) });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('ops@example.com');
});

it('fetches the ALB key once and caches it', async () => {
  const before = keyRequests;
  for (let i = 0; i < 5; i++) expect((await get({ 'x-amzn-oidc-data': await sign({ sub: 'u-2' }) })).status).toBe(200);
  expect(keyRequests).toBe(before);
});

it('refuses a request without the header, as a client bypassing the ALB would send it', async () => {
  expect((await get()).status).toBe(401);
});

it('refuses a token that names another load balancer', async () => {
  expect((await get({ 'x-amzn-oidc-data': await sign({ sub: 'u' }, { signer: OTHER_ALB }) })).status).toBe(401);
});

it('refuses a tampered token', async () => {
  const [h, , s] = (await sign({ sub: 'u', email: 'a@example.com' })).split('.');
  const forged = Buffer.from(JSON.stringify({ sub: 'u', email: 'admin@example.com', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
  expect((await get({ 'x-amzn-oidc-data': `${h}.${forged}.${s}` })).status).toBe(401);
});

it('refuses an expired token', async () => {
  expect((await get({ 'x-amzn-oidc-data': await sign({ sub: 'u' }, {}, '-1m') })).status).toBe(401);
});

it('keeps the probes open', async () => {
  expect((await fetch(`${gw.url}/health`)).status).toBe(200);
});
