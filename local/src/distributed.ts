import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { LOCAL_DEFAULTS } from './config-catalog';

/**
 * `npm run start:distributed`: the gateway and each service as separate processes over NATS,
 * as in a cluster. Starts a local nats-server when nothing listens at NATS_URL; prefixes every
 * line with the process name; Ctrl-C stops them all (each by its own PID).
 */
const ROOT = path.resolve(__dirname, '../../..');
const DIST = path.join(ROOT, 'dist');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface Component {
  name: string;
  entry: string;
  env: Record<string, string>;
}

/** Each service gets its own management port (MANAGEMENT_PORT_BASE + n) so they can share one host. */
const base = Number(process.env.MANAGEMENT_PORT_BASE ?? 9001);
export const COMPONENTS: Component[] = [
  { name: 'gateway', entry: 'app/gateway/main.js', env: { PORT: process.env.PORT ?? '8080', HOST: process.env.HOST ?? '127.0.0.1' } },
  { name: 'environment', entry: 'app/environment/main.js', env: { MANAGEMENT_PORT: String(base) } },
  { name: 'storage', entry: 'app/storage/main.js', env: { MANAGEMENT_PORT: String(base + 1) } },
  { name: 'stress', entry: 'app/stress/main.js', env: { MANAGEMENT_PORT: String(base + 2) } },
  { name: 'scaling-monitor', entry: 'app/scaling-monitor/main.js', env: { MANAGEMENT_PORT: String(base + 3) } },
];

const COLORS = [36, 33, 35, 32, 34, 31];
const children = new Map<string, ChildProcess>();
let stopping = false;

function prefixLines(name: string, color: number, stream: NodeJS.ReadableStream | null): void {
  if (!stream) return;
  const tag = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m` : `[${name}]`;
  readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${line}\n`));
}

function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, color: number): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
  prefixLines(name, color, child.stdout);
  prefixLines(name, color, child.stderr);
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) process.stdout.write(`[${name}] exited (${signal ?? code}); the others keep running\n`);
  });
  return child;
}

async function main(): Promise<void> {
  const first = NATS_URL.split(',')[0];
  if (!(await listening(first))) {
    const { hostname, port } = new URL(first);
    if (!['127.0.0.1', 'localhost', '::1'].includes(hostname))
      throw new Error(`nothing listens at ${first} and it is not local; start NATS there or set NATS_URL`);
    const natsServer = path.join(ROOT, '.tools/bin/nats-server');
    if (!existsSync(natsServer)) throw new Error('nats-server is not installed: run scripts/tools/install.sh nats');
    // As in the chart and compose: uploads (up to 10 MiB) cross NATS in one message.
    const conf = path.join(mkdtempSync(path.join(os.tmpdir(), 'eks-info-nats-')), 'nats.conf');
    writeFileSync(conf, 'max_payload: 16MB\n');
    start('nats', natsServer, ['-a', '127.0.0.1', '-p', port || '4222', '-c', conf], process.env, 90);
  }
  const node = process.execPath;
  COMPONENTS.forEach((c, i) => {
    // Local data directories and loopback binding, as in `npm start`; the user's env still wins.
    const env = { ...LOCAL_DEFAULTS, ...process.env, NATS_URL, SHUTDOWN_GRACE_MS: '0', ...c.env };
    start(c.name, node, ['--enable-source-maps', path.join(DIST, c.entry)], env, COLORS[i % COLORS.length]);
  });
  process.stdout.write(`\n  EKS Info (distributed) at http://localhost:${COMPONENTS[0].env.PORT}  — NATS ${NATS_URL}. Ctrl-C stops everything.\n\n`);
}

function stopAll(): void {
  if (stopping) return;
  stopping = true;
  // Services first, NATS last, so they disconnect cleanly.
  const order = [...children.keys()].sort((a, b) => (a === 'nats' ? 1 : b === 'nats' ? -1 : 0));
  for (const name of order) children.get(name)?.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(1);
  }, 10_000);
  const wait = setInterval(() => {
    if (children.size === 0) {
      clearInterval(wait);
      clearTimeout(deadline);
      process.exit(0);
    }
  }, 100);
}

process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
main().catch((err: Error) => {
  process.stderr.write(`start:distributed failed: ${err.message}\n`);
  stopAll();
});
