/**
 * Shutdown order of a service over a real nats-server: on SIGTERM it stops taking messages (a
 * request sent then goes to no one: 503 at once, or to another replica), lets the handlers that
 * took one finish and reply, and only then closes its stores; the connection is drained last.
 * The service here is a real Nest app with a slow handler writing to a store that its module
 * closes on shutdown.
 */
import { Controller, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import pino from 'pino';
import { TransportErrors, defineRpc, z } from '@eks-info/contracts';
import { NatsServer, waitFor } from '@eks-info/testing';
import { RpcError } from '../transport/rpc-error';
import { OnRequest } from '../transport/handlers';
import { type CommonConfig, type ProcessRuntime, createRuntime } from './runtime';
import { createServiceApp } from './service-app';
import { installShutdown } from './shutdown';

jest.setTimeout(60_000);

const SLOW = defineRpc('storage', 'shutdown-test.slow.write', {
  request: z.object({ n: z.number() }),
  response: z.object({ n: z.number(), writes: z.number() }),
});
const STORE = Symbol('STORE');
const HANDLER_MS = 600;

/** A store that refuses writes once closed, and a timeline of what happened when. */
class Store {
  open = true;
  writes = 0;
  readonly timeline: string[] = [];
  write(): number {
    if (!this.open) throw new Error('the store is closed');
    return ++this.writes;
  }
}

const store = new Store();

@Controller()
class SlowController {
  constructor(@Inject(STORE) private readonly s: Store) {}

  @OnRequest(SLOW)
  async write(data: { n: number }): Promise<{ n: number; writes: number }> {
    this.s.timeline.push(`start ${data.n}`);
    await new Promise((r) => setTimeout(r, HANDLER_MS));
    const writes = this.s.write();
    this.s.timeline.push(`end ${data.n}`);
    return { n: data.n, writes };
  }
}

@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(STORE) private readonly s: Store,
    @Inject('RUNTIME') private readonly runtime: ProcessRuntime,
  ) {}

  onApplicationShutdown(): void {
    this.s.open = false;
    const nc = this.runtime.transport.kind === 'nats' ? this.runtime.transport.connection.current() : undefined;
    this.s.timeline.push(`store closed (connection ${nc && !nc.isClosed() ? 'open' : 'closed'})`);
  }
}

const config = (url: string) => ({ NATS_URL: [url], RPC_TIMEOUT_MS: 5000, LOG_LEVEL: 'silent' }) as unknown as CommonConfig;

let nats: NatsServer;
let client: ProcessRuntime;
let service: ProcessRuntime;

beforeAll(async () => {
  nats = await NatsServer.start();
  client = createRuntime('gateway', 'client', config(nats.url), { logger: pino({ level: 'silent' }) });
  service = createRuntime('storage', 'storage-0', config(nats.url), { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await client?.bus.close();
  await service?.bus.close();
  await nats?.stop();
});

it('stops taking messages, lets the handlers that took one reply, then closes the stores, then the connection', async () => {
  @Module({ controllers: [SlowController], providers: [{ provide: STORE, useValue: store }, { provide: 'RUNTIME', useValue: service }, StoreLifecycle] })
  class TestModule {}

  const app = await createServiceApp({
    identity: { service: 'storage', pod: 'storage-0', node: 'n1', namespace: 'demo', inKubernetes: false },
    runtime: service,
    module: TestModule,
    config: {},
  });
  const shutdown = installShutdown(service, [app], { graceMs: 0, hardDeadlineMs: 30_000 });
  // The handler's subscription is bound once connected.
  await waitFor(
    () =>
      client.bus.request(SLOW, { n: 0 }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 10_000, what: 'the handler subscribed' },
  );

  const inFlight = [1, 2, 3].map((n) =>
    client.bus.request(SLOW, { n }).then(
      (r) => ({ ok: r }),
      (err: unknown) => ({ err }),
    ),
  );
  await waitFor(() => ['start 1', 'start 2', 'start 3'].every((s) => store.timeline.includes(s)), { timeoutMs: 5000, what: 'three handlers running' });
  const stopped = shutdown();

  // Taken messages are not dropped, new ones are not taken.
  await new Promise((r) => setTimeout(r, 100));
  const late = await client.bus.request(SLOW, { n: 4 }).then(
    () => 'answered',
    (err: unknown) => (err instanceof RpcError ? err.code : String(err)),
  );
  expect(late).toBe(TransportErrors.UNAVAILABLE.code);

  expect(await Promise.all(inFlight)).toEqual([1, 2, 3].map((n) => ({ ok: { n, writes: expect.any(Number), servedBy: expect.anything() } })));
  await stopped;
  const closedAt = store.timeline.findIndex((s) => s.startsWith('store closed'));
  expect(store.timeline.slice(closedAt)).toEqual(['store closed (connection open)']);
  expect(store.timeline.slice(0, closedAt)).toEqual(expect.arrayContaining(['end 1', 'end 2', 'end 3']));
  expect(store.timeline).not.toContain('start 4');
  const nc = service.transport.kind === 'nats' ? service.transport.connection.current() : undefined;
  expect(nc?.isClosed()).toBe(true);
});
