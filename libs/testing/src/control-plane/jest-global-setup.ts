// Jest global setup of the "cluster" project: starts the real control plane once per run and
// hands its description to the test workers through the environment (workers start after this).
import { CONTROL_PLANE_ENV, CONTROL_PLANE_UNAVAILABLE_ENV, ControlPlane } from './control-plane';
import { CLUSTER_NODES } from './cluster-nodes';

export default async function globalSetup(): Promise<void> {
  const missing = ControlPlane.missingTools();
  if (missing.length) {
    const reason = `${missing.join(', ')} not installed (scripts/tools/install.sh control-plane)`;
    // In CI a missing prerequisite is a failure; on a developer's machine the cluster tests skip, counted and said.
    if (process.env.CI) throw new Error(`the cluster test tier cannot run: ${reason}`);
    process.stderr.write(`\n[control-plane] SKIPPING the cluster tests: ${reason}\n`);
    process.env[CONTROL_PLANE_UNAVAILABLE_ENV] = reason;
    return;
  }
  const plane = await ControlPlane.start({ nodes: CLUSTER_NODES, metricsApi: true });
  (globalThis as { __eksInfoControlPlane?: ControlPlane }).__eksInfoControlPlane = plane;
  process.env[CONTROL_PLANE_ENV] = JSON.stringify(plane.state);
}
