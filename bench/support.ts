import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess, nodeBin, processRssBytes, toolPath, waitFor } from '@eks-info/testing';

/**
 * Load comes from wrk (C, one thread): a Node load generator on the same two cores burns the
 * CPU the server under test needs and flatters every ratio. Every run is bounded in time and
 * connections, and only ever targets loopback.
 */
export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
}

const MS = (value: string, unit: string) => Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);

/** Parses `wrk --latency` output. */
export function parseWrk(name: string, out: string): LoadResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    return m ? Math.round(MS(m[1], m[2]) * 100) / 100 : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`wrk printed no figures for ${name}:\n${out}`);
  return { name, rps, p50: pct('50'), p99: pct('99'), errors, non2xx };
}

/** One bounded wrk run against a loopback URL. */
export function wrk(name: string, url: string, options: { connections?: number; seconds?: number } = {}): Promise<LoadResult> {
  const host = new URL(url).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) throw new Error(`benchmarks only target loopback, not ${host}`);
  const seconds = options.seconds ?? 6;
  const args = ['-t1', `-c${options.connections ?? 50}`, `-d${seconds}s`, '--latency', '--timeout', '5s', url];
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath('wrk'), args);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.on('close', () => {
      clearTimeout(guard);
      try {
        resolve(parseWrk(name, out));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export interface Target {
  name: string;
  url: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Every target once per round, alternating, `rounds` times; the median of each figure. Alternating
 * spreads the shared machine's drift over all targets instead of favouring whichever ran first.
 * Each target is first warmed up (`warmupSeconds`, 2 s by default, not counted): the figures are
 * of a running server, not of its first seconds (lazy compilation, start-up garbage).
 */
export async function compare(
  targets: Target[],
  options: { rounds?: number; seconds?: number; connections?: number; warmupSeconds?: number } = {},
): Promise<LoadResult[]> {
  const warmup = options.warmupSeconds ?? 2;
  if (warmup > 0) for (const t of targets) await wrk(t.name, t.url, { ...options, seconds: warmup });
  const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    for (const t of targets) runs.get(t.name)!.push(await wrk(t.name, t.url, options));
  }
  return targets.map((t) => {
    const r = runs.get(t.name)!;
    return {
      name: t.name,
      rps: median(r.map((x) => x.rps)),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
      errors: r.reduce((a, x) => a + x.errors, 0),
      non2xx: r.reduce((a, x) => a + x.non2xx, 0),
    };
  });
}

/** A bare node:http server answering every request with `body` (the same bytes as a target). */
export async function bareServer(body: Buffer, contentType: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * The bare node:http server of `bareServer` in a process of its own: for benches whose own process
 * holds a large heap (a fake API server with 150,000 pods), which would slow a baseline served
 * from it with its garbage collections.
 */
export async function bareServerProcess(body: Buffer, contentType: string): Promise<{ url: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bare-'));
  const file = path.join(dir, 'body');
  writeFileSync(file, body);
  const script = [
    "const http = require('node:http');",
    "const body = require('node:fs').readFileSync(process.argv[1]);",
    'http.createServer((_q, r) => { r.writeHead(200, { "content-type": process.argv[2], "content-length": body.length }); r.end(body); })',
    "  .listen(0, '127.0.0.1', function () { process.stdout.write('port ' + this.address().port + '\\n'); });",
  ].join('\n');
  const proc = new ManagedProcess({ name: 'bare', command: nodeBin, args: ['-e', script, file, contentType] });
  const port = await waitFor(() => Number(/^port (\d+)$/.exec(proc.output.find((l) => l.startsWith('port ')) ?? '')?.[1]) || undefined, {
    timeoutMs: 10_000,
    what: 'the bare server to listen',
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The body a URL answers, and its content type. */
export async function fetchBody(url: string): Promise<{ body: Buffer; type: string }> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? 'application/octet-stream' };
}

/** Resident memory of a process in MiB, one decimal. */
export function rssMiB(pid: number): number {
  return Math.round((processRssBytes(pid) / 1048576) * 10) / 10;
}

/** The machine a run happened on, for the README's tables. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${os.cpus().length} vCPU (${cpu}), ${Math.round(os.totalmem() / 1073741824)} GiB, Node ${process.versions.node}`;
}

/** A markdown table of results with their ratio to a baseline row. */
export function table(rows: Array<{ result: LoadResult; base: LoadResult; note?: string }>): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    '| Target | req/s | p50 ms | p99 ms | × bare (same bytes) | errors | non-2xx | |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      ({ result: r, base, note }) =>
        `| ${r.name} | ${n(r.rps)} | ${r.p50} | ${r.p99} | ${r === base ? '1.000' : (r.rps / base.rps).toFixed(3)} | ${r.errors} | ${r.non2xx} | ${note ?? ''} |`,
    ),
  ].join('\n');
}

/** One wrk run, with the size of the response body (for tables that show page weight). */
export async function loadTest(name: string, url: string, options: { connections: number; seconds: number }): Promise<LoadResult & { bytes: number }> {
  const { body } = await fetchBody(url);
  return { ...(await wrk(name, url, options)), bytes: body.length };
}
