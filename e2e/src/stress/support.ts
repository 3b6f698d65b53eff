import pino from 'pino';
import { createRuntime } from '@eks-info/platform';
import { StressBusClient } from '@eks-info/testing';

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
