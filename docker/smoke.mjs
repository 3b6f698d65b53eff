// `helm test` (and a post-deploy check): the gateway is ready, and a page that needs the
// environment service answers through NATS. Node built-ins only; exits 0 or 1.
//   GATEWAY_URL    base URL of the gateway Service (required)
//   AUTH_MODE      none | basic | alb-oidc (alb-oidc: only the ALB can sign in, so the page check is skipped)
//   AUTH_USERNAME, AUTH_PASSWORD   basic-auth credentials
//   SMOKE_TIMEOUT_MS               how long to keep retrying (pods may have just become ready)
const base = process.env.GATEWAY_URL?.replace(/\/+$/, '');
if (!base) {
  console.error('GATEWAY_URL is required');
  process.exit(1);
}
const mode = process.env.AUTH_MODE ?? 'none';
const deadline = Date.now() + Number(process.env.SMOKE_TIMEOUT_MS ?? 60000);
const headers = { accept: 'application/json' };
if (mode === 'basic') {
  headers.authorization = `Basic ${Buffer.from(`${process.env.AUTH_USERNAME ?? 'admin'}:${process.env.AUTH_PASSWORD ?? ''}`).toString('base64')}`;
}

async function check(name, path, verify) {
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      last = verify(res, body);
      if (!last) {
        console.log(`ok   ${name}: GET ${path} -> ${res.status}`);
        return true;
      }
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.error(`FAIL ${name}: GET ${path}: ${last}`);
  return false;
}

const ready = await check('gateway ready', '/ready', (res, body) => (res.status === 200 ? null : `HTTP ${res.status} ${body.slice(0, 200)}`));
let page = true;
if (mode === 'alb-oidc') {
  console.log('skip page check: AUTH_MODE=alb-oidc signs users in at the ALB only');
} else {
  page = await check('environment over NATS', '/api/v1/environment', (res, body) => {
    if (res.status !== 200) return `HTTP ${res.status} ${body.slice(0, 200)}`;
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      return 'the answer is not JSON';
    }
    const servedBy = json.servedBy ?? json.data?.servedBy;
    if (servedBy?.pod) console.log(`     served by ${servedBy.service ?? 'environment'} pod ${servedBy.pod} on ${servedBy.node ?? '?'}`);
    return null;
  });
}
process.exit(ready && page ? 0 : 1);
