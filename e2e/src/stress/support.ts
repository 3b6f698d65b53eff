import pino from 'pino';
import { createRuntime } from '@eks-info/platform';
import { CgroupSandbox, type Prerequisite, StressBusClient } from '@eks-info/testing';

/** A stress client on its own NATS connection, ready once connected. */
export async function connectStressClient(natsUrl: string): Promise<StressBusClient> {
  const runtime = createRuntime(
    'stress-test-client',
    'test',
    { NATS_URL: [natsUrl], RPC_TIMEOUT_MS: 5000, LOG_LEVEL: 'silent' } as Parameters<typeof createRuntime>[2],
    {
      logger: pino({ level: 'silent' }),
    },
  );
  if (runtime.transport.kind === 'nats') await runtime.transport.connection.whenReady();
  return new StressBusClient(runtime.bus);
}

/**
 * Whether this machine lets a test put a process in a cgroup with these limits (root, or a
 * delegated cgroup with the controllers on): made once and removed again. The tests that need
 * one run under itWhen(...): skipped and counted where it is missing, failed under CI.
 */
export function cgroupPrerequisite(name: string, limits: Parameters<typeof CgroupSandbox.create>[1]): Prerequisite {
  const made = CgroupSandbox.create(`${name}-probe-${process.pid}`, limits);
  if (!made.ok) return { ok: false, reason: `this machine does not allow a cgroup with ${JSON.stringify(limits)}: ${made.reason}` };
  made.sandbox.remove();
  return { ok: true };
}
