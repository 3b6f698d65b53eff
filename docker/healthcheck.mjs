// Docker HEALTHCHECK of the one image: healthy when /health answers 200 on the gateway port
// (PORT) or on a service's management port (MANAGEMENT_PORT); the image does not know which
// component it runs, and the port it does not serve refuses at once. HEALTHCHECK_URL overrides.
// Node built-ins only; exits 0 (healthy) or 1.
import http from 'node:http';

const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 3000);
const urls = process.env.HEALTHCHECK_URL
  ? [process.env.HEALTHCHECK_URL]
  : [...new Set([process.env.PORT || '8080', process.env.MANAGEMENT_PORT || '9000'])].map((port) => `http://127.0.0.1:${port}/health`);

function probe(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? null : `${url}: HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve(`${url}: ${err.code ?? err.message}`));
  });
}

const failures = [];
for (const url of urls) {
  const failure = await probe(url);
  if (!failure) process.exit(0);
  failures.push(failure);
}
console.error(`unhealthy: ${failures.join('; ')}`);
process.exit(1);
