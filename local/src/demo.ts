import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { startLocal } from './main';

/**
 * `npm run demo`: the dashboard as `npm start` runs it, pointed at a simulated cluster — the fake
 * Kubernetes API server of the test harness (real HTTPS list/watch, a generated CA in its
 * kubeconfig) playing a scripted scale-up and scale-down in compressed real time. Every scaling
 * page is filled from real watch events; nothing on them is made up by the dashboard.
 *
 *   npm run demo [-- --once] [-- --fresh] [-- --scale 0.25]
 *
 *   --scale   real seconds per scripted second (SCENARIO_SCALE; default 0.25: the 10-minute story in 2.5 minutes)
 *   --once    play the story once and hold the end state (default: repeat)
 *   --fresh   forget the demo's history first
 *   DEMO_DATA_DIR  where the kubeconfig and the history go (default: demo/ under DATA_DIR, i.e. .data/demo)
 */
const DIST = path.resolve(__dirname, '../..');
const FAKE_API_CLI = path.join(DIST, 'libs/testing/src/kube-api/cli.js');
const SCENARIO = path.join(DIST, 'libs/testing/src/kube-api/scenarios/demo.js');

function startFakeCluster(kubeconfig: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = spawn(process.execPath, [FAKE_API_CLI, '--kubeconfig', kubeconfig, '--scenario', SCENARIO, '--no-karpenter', '--namespace', 'demo'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  readline.createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`[simulated cluster] ${line}\n`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the simulated cluster did not start within 15 s')), 15_000);
    // The CLI prints the kubeconfig path as its first line once it listens.
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, kubeconfig: line.trim() });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the simulated cluster exited (${signal ?? code})`));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    // `bash scripts/run.sh demo -- --once` passes the separator through.
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { once: { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false }, scale: { type: 'string' } },
  });
  const dataDir = path.resolve(process.env.DEMO_DATA_DIR || path.join(process.env.DATA_DIR || '.data', 'demo'));
  const historyDir = path.join(dataDir, 'history');
  if (values.fresh) rmSync(historyDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const scenarioEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SCENARIO_SCALE: values.scale ?? process.env.SCENARIO_SCALE ?? '0.25',
    SCENARIO_LOOP: values.once ? 'false' : (process.env.SCENARIO_LOOP ?? 'true'),
  };
  const { child, kubeconfig } = await startFakeCluster(path.join(dataDir, 'kubeconfig'), scenarioEnv);
  // Stop the simulated cluster with us, by its own PID, however we exit.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
  process.once('exit', () => child.kill('SIGTERM'));
  child.once('exit', (code, signal) => {
    if (!stopping)
      process.stderr.write(`\n  The simulated cluster stopped (${signal ?? code}); the dashboard keeps running and shows why its sections fail.\n`);
  });
  await startLocal({
    // The demo's own history, and samples often enough to see the story in the charts.
    defaults: { HISTORY_PATH: historyDir, SAMPLE_INTERVAL_SECONDS: '5', KUBE_METRICS_POLL_SECONDS: '10' },
    overrides: { KUBE_MODE: 'kubeconfig', KUBECONFIG: kubeconfig, WATCH_NAMESPACE: 'demo' },
    mode: 'demo: a simulated cluster plays a scripted scale-up and scale-down (open /scaling)',
  });
}

main().catch((err: Error) => {
  process.stderr.write(`The demo failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
