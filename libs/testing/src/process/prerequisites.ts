/** Whether something a test needs from the machine is there (a cgroup, a mount namespace, chattr). */
export type Prerequisite = { ok: true } | { ok: false; reason: string };

type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/** True on a CI runner (CI=true, as every CI service sets it). */
export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.CI) && !['false', '0'].includes(env.CI!.toLowerCase());

/**
 * A test that needs something this machine may lack. Where it is there, the test runs as usual.
 * Where it is not:
 * - under CI (CI=true) the test runs and fails, naming what is missing: a CI machine must have it;
 * - elsewhere (a laptop, a container without privileges) the test is skipped, with the reason in
 *   its name, and Jest's summary counts it ("Tests: … N skipped"). Never a silent pass.
 */
export function itWhen(prerequisite: Prerequisite, env: NodeJS.ProcessEnv = process.env): TestFn {
  if (prerequisite.ok) return it;
  const { reason } = prerequisite;
  if (inCi(env))
    return (name, _fn, timeout) =>
      it(
        name,
        () => {
          throw new Error(`prerequisite missing on this CI machine: ${reason}`);
        },
        timeout,
      );
  return (name, fn, timeout) => it.skip(`${name} [skipped: ${reason}]`, fn, timeout);
}
