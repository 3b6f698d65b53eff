/**
 * The scenario `npm run demo -- --scripted` plays (and the demo's fallback without nats-server),
 * as a module for the fake API server's CLI (`--scenario dist/libs/testing/src/kube-api/scenarios/demo.js`):
 * the scripted scale-up and scale-down in compressed real time, over and over (or once, then
 * holding the end state). The default demo runs the live loop instead (`../live/simulated-environment.ts`).
 *
 *   SCENARIO_SCALE   real seconds per scripted second (default 0.25: a 10-minute story in 2.5 minutes)
 *   SCENARIO_LOOP    "false" plays it once (default: repeat)
 *   SCENARIO_DELAY_SECONDS  pause before the first step (default 5), so a browser can open the page
 */
import type { FakeKubeApiServer } from '../server';
import { playScenario, scalingScenario } from './scaling-scenario';

export default async function demo(server: FakeKubeApiServer): Promise<void> {
  const scale = Number(process.env.SCENARIO_SCALE ?? '0.25');
  if (!(scale > 0 && scale <= 10)) throw new Error(`SCENARIO_SCALE must be a number in (0, 10], got ${process.env.SCENARIO_SCALE}`);
  const loop = process.env.SCENARIO_LOOP !== 'false';
  const delay = Number(process.env.SCENARIO_DELAY_SECONDS ?? '5');
  const stopping = new AbortController();
  process.once('SIGTERM', () => stopping.abort());
  process.once('SIGINT', () => stopping.abort());
  let start = Date.now() + Math.max(0, delay) * 1000 - 20 * scale * 1000;
  for (let cycle = 0; !stopping.signal.aborted; cycle++) {
    const scenario = scalingScenario({ start: new Date(start), scale, cycle, namespace: server.namespace });
    process.stderr.write(`scenario cycle ${cycle}: ${scenario.steps.length} steps over ${Math.round(scenario.length * scale)} s\n`);
    await playScenario(server, scenario, {
      realTime: true,
      signal: stopping.signal,
      onStep: (step) => process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${step.description}\n`),
    });
    if (!loop) return;
    // The next cycle starts where this one ended; playScenario waits for its first step.
    start = scenario.start.getTime() + scenario.length * scale * 1000;
  }
}
