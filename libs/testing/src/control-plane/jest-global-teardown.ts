// Jest global teardown of the "cluster" project: stops every control-plane process by PID,
// whether the tests passed or not (a crash of the Jest process itself is covered by the
// process-exit handler of each started process and by the next run's clean-up).
import type { ControlPlane } from './control-plane';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __eksInfoControlPlane?: ControlPlane };
  await holder.__eksInfoControlPlane?.stop();
  holder.__eksInfoControlPlane = undefined;
}
