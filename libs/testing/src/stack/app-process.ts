import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from '../process/managed-process';
import { distPath, guardRequireArgs, nodeBin, repoRoot } from '../process/paths';
import { freePort, waitFor } from '../process/wait';

/**
 * The runtime environment the image sets that changes how a process behaves (not its
 * configuration): the allocator's arenas. Read from the Dockerfile, so measurements made "as the
 * image runs" follow it.
 */
export function imageRuntimeEnv(): Record<string, string> {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const arenas = /^\s*MALLOC_ARENA_MAX=(\d+)/m.exec(dockerfile.slice(dockerfile.indexOf('AS runtime')))?.[1];
  if (!arenas) throw new Error("the Dockerfile's runtime stage no longer sets MALLOC_ARENA_MAX: update imageRuntimeEnv");
  return { MALLOC_ARENA_MAX: arenas };
}

/** Environment every app process started by tests gets: no cloud, no machine credentials. */
export function isolatedEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  Object.assign(env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
    LOG_LEVEL: 'info',
    SYSTEM_METRICS_INTERVAL_SECONDS: '0',
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts `node <dist entry>` with the metadata guard preloaded; waits until `ready` answers 200. */
export async function startNodeProcess(options: {
  name: string;
  entry: string;
  env: Record<string, string | undefined>;
  readyUrl?: string;
  timeoutMs?: number;
  /**
   * Map stack traces to the sources (default). Off: as the image runs (its allocator setting
   * too, {@link imageRuntimeEnv}), which measures memory truly.
   */
  sourceMaps?: boolean;
}): Promise<ManagedProcess> {
  const proc = new ManagedProcess({
    name: options.name,
    command: nodeBin,
    args: [...guardRequireArgs(), ...(options.sourceMaps === false ? [] : ['--enable-source-maps']), distPath(options.entry)],
    env: isolatedEnv(options.sourceMaps === false ? { ...imageRuntimeEnv(), ...options.env } : options.env),
    cwd: repoRoot,
  });
  if (options.readyUrl) {
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`${options.name} exited:\n${proc.tail()}`);
        const res = await fetch(options.readyUrl!).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: options.timeoutMs ?? 20_000, what: `${options.name} at ${options.readyUrl}` },
    ).catch((err: Error) => {
      proc.killNow();
      throw new Error(`${err.message}\n--- ${options.name} output ---\n${proc.tail()}`);
    });
  }
  return proc;
}

export interface LocalApp {
  url: string;
  process: ManagedProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** `npm start` as a user runs it (one process, in-process bus), on a free port and a temp data dir. */
export async function startLocalApp(env: Record<string, string | undefined> = {}): Promise<LocalApp> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'eks-info-data-'));
  const proc = await startNodeProcess({
    name: 'local',
    entry: 'local/src/main.js',
    env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
  return { url: `http://127.0.0.1:${port}`, process: proc, dataDir, stop: async () => void (await proc.stop()) };
}
