// The container image. No Docker engine exists here, so the Dockerfile is checked statically
// (it is not built); the scripts it ships (healthcheck, helm-test smoke check) run for real
// against a small HTTP server on loopback.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from './support';

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

/** Dockerfile stages with their instructions (continuation lines joined, comments dropped). */
function stages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1], name: from[2] ?? `stage${out.length}`, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const all = stages(dockerfile);
const runtime = all.at(-1)!;
const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];

describe('Dockerfile (static: no Docker engine here)', () => {
  it('is multi-stage on Node 24 slim, with the runtime stage last', () => {
    expect(nodeImage).toMatch(/^node:24(\.\d+)*-[a-z]+-slim$/);
    expect(all.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const s of all) expect(s.from).toBe('${NODE_IMAGE}');
    expect(dockerfile).toMatch(/FROM --platform=\$BUILDPLATFORM \$\{NODE_IMAGE\} AS build/);
  });

  it('builds with npm ci + npm run build, and ships only the bundles (no node_modules, no tests)', () => {
    const build = all.find((s) => s.name === 'build')!.lines.join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/RUN npm run build/);
    const copies = runtime.lines.filter((l) => l.startsWith('COPY'));
    expect(copies).toEqual(['COPY --from=build /src/dist/app ./dist/app', 'COPY docker/healthcheck.mjs docker/smoke.mjs ./docker/']);
    expect(runtime.lines.some((l) => /^RUN .*npm (ci|install)/.test(l))).toBe(false);
  });

  it('runs as a numeric non-root user with writable paths only where volumes mount', () => {
    const user = runtime.lines.filter((l) => l.startsWith('USER '));
    expect(user).toEqual(['USER 10001:10001']);
    // USER comes after every COPY/RUN, so the code stays root-owned and read-only to the app.
    const userAt = runtime.lines.indexOf(user[0]);
    expect(runtime.lines.slice(userAt).some((l) => /^(RUN|COPY|ADD) /.test(l))).toBe(false);
    expect(runtime.lines.join('\n')).toMatch(/chown 10001:10001 \/data\/ebs \/data\/efs \/data\/history/);
  });

  it('has a HEALTHCHECK, the source-map entrypoint and the gateway as the default command', () => {
    expect(runtime.lines).toContain('HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "docker/healthcheck.mjs"]');
    expect(runtime.lines).toContain('ENTRYPOINT ["node"]');
    expect(runtime.lines).toContain('CMD ["dist/app/gateway/main.js"]');
  });

  it('keeps host build output, tools and secrets out of the build context', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.tools', '.git', '.env', 'terraform', 'helm']) expect(ignore).toContain(entry);
  });
});

// --- the scripts the image ships -----------------------------------------------------------

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
async function serve(handler: Handler): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

function node(script: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'docker', script)], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** A port with nothing listening: bind, note it, close. */
async function closedPort(): Promise<number> {
  const s = await serve(() => undefined);
  await s.close();
  return s.port;
}

describe('docker/healthcheck.mjs', () => {
  it('is healthy when the gateway port answers /health', async () => {
    const s = await serve((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end());
    try {
      const r = await node('healthcheck.mjs', { PORT: String(s.port), MANAGEMENT_PORT: String(await closedPort()) });
      expect(r).toEqual({ code: 0, out: '' });
    } finally {
      await s.close();
    }
  });

  it("is healthy when a service's management port answers and the gateway port is closed", async () => {
    const s = await serve((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end());
    try {
      const r = await node('healthcheck.mjs', { PORT: String(await closedPort()), MANAGEMENT_PORT: String(s.port) });
      expect(r.code).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('is unhealthy on a 503 or when nothing listens, and says why', async () => {
    const s = await serve((_req, res) => res.writeHead(503).end());
    try {
      const closed = await closedPort();
      const r = await node('healthcheck.mjs', { PORT: String(s.port), MANAGEMENT_PORT: String(closed) });
      expect(r.code).toBe(1);
      expect(r.out).toContain(`http://127.0.0.1:${s.port}/health: HTTP 503`);
      expect(r.out).toContain(`http://127.0.0.1:${closed}/health: ECONNREFUSED`);
    } finally {
      await s.close();
    }
  });
});

describe('docker/smoke.mjs (the helm test)', () => {
  const auth = `Basic ${Buffer.from('admin:s3cret').toString('base64')}`;
  const gateway: Handler = (req, res) => {
    if (req.url === '/ready') return res.writeHead(200).end('ok');
    if (req.url === '/api/v1/environment') {
      if (req.headers.authorization !== auth) return res.writeHead(401).end();
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ servedBy: { service: 'environment', pod: 'env-1', node: 'n1' } }));
    }
    res.writeHead(404).end();
  };

  it('passes when the gateway is ready and the environment page answers through it', async () => {
    const s = await serve(gateway);
    try {
      const r = await node('smoke.mjs', { GATEWAY_URL: `http://127.0.0.1:${s.port}`, AUTH_MODE: 'basic', AUTH_USERNAME: 'admin', AUTH_PASSWORD: 's3cret' });
      expect(r.code).toBe(0);
      expect(r.out).toContain('served by environment pod env-1 on n1');
    } finally {
      await s.close();
    }
  });

  it('fails with the status when the password is wrong', async () => {
    const s = await serve(gateway);
    try {
      const r = await node('smoke.mjs', { GATEWAY_URL: `http://127.0.0.1:${s.port}`, AUTH_MODE: 'basic', AUTH_PASSWORD: 'wrong', SMOKE_TIMEOUT_MS: '500' });
      expect(r.code).toBe(1);
      expect(r.out).toContain('FAIL environment over NATS: GET /api/v1/environment: HTTP 401');
    } finally {
      await s.close();
    }
  });
});
