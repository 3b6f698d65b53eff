/**
 * The same handler contract suite over both transports: whatever a caller can observe (replies,
 * error codes, timeouts, queue vs broadcast delivery, events, the JSON round-trip, correlation
 * ids, servedBy) must not depend on whether NATS or the in-process bus carries the message.
 */
import { Controller, Injectable, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CommonErrors, defineEvent, defineRpc, z } from '@eks-info/contracts';
import { NatsServer } from '@eks-info/testing';
import { createLogger } from '../logging/logger';
import { currentRequestId, runWithRequestId } from '../logging/request-context';
import { createRuntime, type ProcessRuntime } from '../service/runtime';
import { createServiceApp, type RunningApp } from '../service/service-app';
import { resolveIdentity } from '../service/identity';
import { OnEvent, OnRequest } from './handlers';
import { DomainException, RpcError } from './rpc-error';
import pino from 'pino';

const Echo = defineRpc('environment', 'test.contract.echo', {
  request: z.object({ text: z.string(), at: z.string().optional() }),
  response: z.object({ text: z.string(), at: z.string().optional(), requestId: z.string().optional(), pod: z.string() }),
});
const Fail = defineRpc('environment', 'test.contract.fail', { request: z.object({ kind: z.enum(['domain', 'crash']) }), response: z.never() });
const Slow = defineRpc('environment', 'test.contract.slow', { request: z.object({ ms: z.number() }), response: z.object({ done: z.literal(true) }) });
const Nobody = defineRpc('storage', 'test.contract.nobody', { request: z.object({}), response: z.never() });
const WhoAll = defineRpc('environment', 'test.contract.who-all', { request: z.object({}), response: z.object({ pod: z.string() }) }, { delivery: 'all' });
const Queued = defineEvent('test.contract.queued', z.object({ n: z.number() }), { consumer: 'environment' });
const CountedRead = defineRpc(
  'environment',
  'test.contract.counted-read',
  { request: z.object({ key: z.string() }), response: z.object({ calls: z.number() }) },
  { coalesce: true },
);
/** A read whose answers callers may reuse for 1.2 s (wide windows, for a loaded machine); the handler fails while `failKept` is set. */
const KeptRead = defineRpc(
  'environment',
  'test.contract.kept-read',
  { request: z.object({ key: z.string() }), response: z.object({ calls: z.number() }) },
  { coalesce: true, maxAgeMs: 1200 },
);
let keptCalls = 0;
let failKept = false;
const CountedWrite = defineRpc('environment', 'test.contract.counted-write', {
  request: z.object({ key: z.string() }),
  response: z.object({ calls: z.number() }),
});
let countedCalls = 0;

@Injectable()
class Tally {
  readonly seen: Array<{ pod: string; n: number }> = [];
}

function handlersFor(pod: string) {
  @Controller()
  class ContractHandlers {
    constructor(private readonly tally: Tally) {}

    @OnRequest(Echo)
    echo(@Payload() req: { text: string; at?: string }) {
      return { text: req.text, at: req.at, requestId: currentRequestId(), pod };
    }

    @OnRequest(Fail)
    fail(@Payload() req: { kind: string }) {
      if (req.kind === 'domain') throw new DomainException(CommonErrors.CONFLICT, 'already running', { fix: 'stop it first' });
      throw new Error('secret internals at /srv/app.ts:42');
    }

    @OnRequest(Slow)
    async slow(@Payload() req: { ms: number }) {
      await new Promise((r) => setTimeout(r, req.ms));
      return { done: true };
    }

    @OnRequest(WhoAll)
    who() {
      return { pod };
    }

    @OnRequest(CountedRead)
    countedRead() {
      return this.counted();
    }

    @OnRequest(KeptRead)
    async keptRead() {
      keptCalls++;
      await new Promise((r) => setTimeout(r, 20));
      if (failKept) throw new DomainException(CommonErrors.CONFLICT, 'not now');
      return { calls: keptCalls };
    }

    @OnRequest(CountedWrite)
    countedWrite() {
      return this.counted();
    }

    private async counted() {
      countedCalls++;
      await new Promise((r) => setTimeout(r, 50));
      return { calls: countedCalls };
    }

    @OnEvent(Queued)
    queued(@Payload() e: { n: number }) {
      this.tally.seen.push({ pod, n: e.n });
    }
  }
  @Module({ controllers: [ContractHandlers], providers: [Tally] })
  class ContractModule {}
  return ContractModule;
}

const silent = pino({ level: 'silent' });

interface Harness {
  caller: ProcessRuntime;
  apps: RunningApp[];
  tallies: Tally[];
  close(): Promise<void>;
}

async function startReplicas(natsUrl: string | undefined, replicas: number): Promise<Harness> {
  const env = { ...process.env, NATS_URL: natsUrl ?? '', RPC_TIMEOUT_MS: '1500', LOG_LEVEL: 'silent' };
  const config = {
    NATS_URL: natsUrl ? [natsUrl] : undefined,
    RPC_TIMEOUT_MS: 1500,
    LOG_LEVEL: 'silent',
  } as Parameters<typeof createRuntime>[2];
  const runtimes: ProcessRuntime[] = [];
  // In-process: every "replica" shares the caller's bus, as in `npm start`. NATS: one connection each.
  const caller = createRuntime('caller', 'caller-0', config, { logger: silent });
  const apps: RunningApp[] = [];
  for (let i = 0; i < replicas; i++) {
    const runtime = natsUrl ? createRuntime('environment', `replica-${i}`, config, { logger: silent }) : caller;
    if (natsUrl) runtimes.push(runtime);
    const identity = { ...resolveIdentity('environment', env), pod: `replica-${i}` };
    apps.push(await createServiceApp({ identity, runtime, module: handlersFor(`replica-${i}`), config }));
  }
  if (natsUrl) {
    await Promise.all([caller, ...runtimes].map((r) => (r.transport.kind === 'nats' ? r.transport.connection.whenReady() : undefined)));
    // Subscriptions are bound right after connecting; give the server a moment to register them.
    await new Promise((r) => setTimeout(r, 200));
  }
  const tallies = apps.map((a) => a.app.get(Tally));
  return {
    caller,
    apps,
    tallies,
    async close() {
      for (const a of apps) await a.close();
      for (const r of runtimes) await r.bus.close();
      await caller.bus.close();
    },
  };
}

describe.each([
  ['in-process', false],
  ['nats', true],
])('message bus contract over %s', (_name, useNats) => {
  let nats: NatsServer | undefined;
  let h: Harness;

  beforeAll(async () => {
    if (useNats) nats = await NatsServer.start();
    h = await startReplicas(nats?.url, 2);
  });

  afterAll(async () => {
    await h?.close();
    await nats?.stop();
  });

  it('answers a request with the handler reply, stamped with servedBy', async () => {
    const reply = await h.caller.bus.request(Echo, { text: 'hi' });
    expect(reply.text).toBe('hi');
    expect(reply).toHaveProperty('servedBy');
    expect((reply as unknown as { servedBy: { service: string; pod: string } }).servedBy).toMatchObject({ service: 'environment', pod: reply.pod });
  });

  it('carries the correlation id to the handler', async () => {
    const reply = await runWithRequestId('req_contract_1', () => h.caller.bus.request(Echo, { text: 'x' }));
    expect(reply.requestId).toBe('req_contract_1');
  });

  it('round-trips data through JSON (a Date arrives as an ISO string)', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const reply = await h.caller.bus.request(Echo, { text: 'd', at: at as unknown as string });
    expect(reply.at).toBe('2026-01-02T03:04:05.000Z');
  });

  it("refuses a payload that fails the contract's schema with a 400 naming the field, before the handler runs", async () => {
    countedCalls = 0;
    const err = (await h.caller.bus.request(CountedWrite, { key: 42 } as unknown as { key: string }).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.status).toBe(400);
    expect(err.body).toMatchObject({ code: 'COMMON.VALIDATION', fields: [{ field: 'key', problem: expect.stringMatching(/string/) }] });
    expect(err.message).toMatch(/^key /);
    expect(countedCalls).toBe(0);
  });

  it('drops an event that fails its schema; the consumer never sees it', async () => {
    for (const t of h.tallies) t.seen.length = 0;
    h.caller.bus.emit(Queued, { n: 'seven' } as unknown as { n: number });
    h.caller.bus.emit(Queued, { n: 8 });
    const all = () => h.tallies.flatMap((t) => t.seen);
    for (let i = 0; i < 50 && all().length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(all().map((e) => e.n)).toEqual([8]);
  });

  it("returns a handler's domain error as its code, message and fix", async () => {
    const err = await h.caller.bus.request(Fail, { kind: 'domain' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'COMMON.CONFLICT', message: 'already running', fix: 'stop it first' });
    expect((err as RpcError).status).toBe(409);
  });

  it('turns an unexpected handler failure into COMMON.INTERNAL without internals', async () => {
    const err = (await h.caller.bus.request(Fail, { kind: 'crash' }).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe('COMMON.INTERNAL');
    expect(JSON.stringify(err.body)).not.toContain('/srv/app.ts');
  });

  it('fails with TRANSPORT.TIMEOUT (504) when the handler is late', async () => {
    const started = Date.now();
    const err = (await h.caller.bus.request(Slow, { ms: 1000 }, { timeoutMs: 300 }).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe('TRANSPORT.TIMEOUT');
    expect(err.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('fails fast with TRANSPORT.UNAVAILABLE (503) when nothing subscribes', async () => {
    const started = Date.now();
    const err = (await h.caller.bus.request(Nobody, {}).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe('TRANSPORT.UNAVAILABLE');
    expect(err.status).toBe(503);
    expect(err.message).toContain('storage');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('delivers each queued request to exactly one replica and spreads them', async () => {
    const pods = [];
    for (let i = 0; i < 20; i++) pods.push((await h.caller.bus.request(Echo, { text: String(i) })).pod);
    expect(pods).toHaveLength(20);
    expect(new Set(pods).size).toBe(2);
  });

  it('coalesces identical concurrent reads into one request, and only reads', async () => {
    countedCalls = 0;
    const reads = await Promise.all(Array.from({ length: 10 }, () => h.caller.bus.request(CountedRead, { key: 'a' })));
    expect(countedCalls).toBe(1);
    expect(reads.every((r) => r.calls === 1)).toBe(true);
    await Promise.all([h.caller.bus.request(CountedRead, { key: 'b' }), h.caller.bus.request(CountedRead, { key: 'c' })]);
    expect(countedCalls).toBe(3); // different payloads are different reads
    await h.caller.bus.request(CountedRead, { key: 'a' });
    expect(countedCalls).toBe(4); // nothing is kept once answered
    await Promise.all(Array.from({ length: 5 }, () => h.caller.bus.request(CountedWrite, { key: 'a' })));
    expect(countedCalls).toBe(9);
  });

  it('reuses a maxAgeMs answer while it is young, refreshes it in the background in its second half, and never keeps a failure', async () => {
    keptCalls = 0;
    failKept = false;
    const bus = h.caller.bus;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    expect(await bus.request(KeptRead, { key: 'a' })).toMatchObject({ calls: 1 });
    // Young (first half): answered from the kept answer, no request at all.
    const young = await Promise.all(Array.from({ length: 20 }, () => bus.request(KeptRead, { key: 'a' })));
    expect(young.every((r) => r.calls === 1)).toBe(true);
    expect(keptCalls).toBe(1);
    // Another payload is another read.
    expect(await bus.request(KeptRead, { key: 'b' })).toMatchObject({ calls: 2 });
    // Second half: still the kept answer at once, and one background request (coalesced) replaces it.
    await sleep(700);
    const late = await Promise.all(Array.from({ length: 10 }, () => bus.request(KeptRead, { key: 'a' })));
    expect(late.every((r) => r.calls === 1)).toBe(true);
    // The refresh went out before the kept answer expired (asked by none of the callers above, who got the kept one).
    for (let i = 0; i < 20 && keptCalls < 3; i++) await sleep(20);
    expect(keptCalls).toBe(3);
    let seen = 1;
    for (let i = 0; i < 100 && seen === 1; i++) {
      await sleep(20);
      seen = (await bus.request(KeptRead, { key: 'a' })).calls;
    }
    expect(seen).toBe(3);
    expect(keptCalls).toBe(3);
    // Idle past maxAgeMs: the next request waits for a fresh answer, and a failure reaches the caller.
    await sleep(1300);
    failKept = true;
    await expect(bus.request(KeptRead, { key: 'a' })).rejects.toMatchObject({ code: CommonErrors.CONFLICT.code });
    // The failure was not kept: the next request asks again and gets the fresh answer.
    failKept = false;
    expect(await bus.request(KeptRead, { key: 'a' })).toMatchObject({ calls: 5 });
  });

  it('gathers a broadcast request from every replica', async () => {
    const replies = await h.caller.bus.gather(WhoAll, {}, { windowMs: 500 });
    expect(replies.map((r) => r.pod).sort()).toEqual(['replica-0', 'replica-1']);
  });

  it('delivers a queued event to one replica only', async () => {
    for (const t of h.tallies) t.seen.length = 0;
    for (let n = 0; n < 10; n++) h.caller.bus.emit(Queued, { n });
    const all = () => h.tallies.flatMap((t) => t.seen);
    for (let i = 0; i < 50 && all().length < 10; i++) await new Promise((r) => setTimeout(r, 20));
    expect(
      all()
        .map((e) => e.n)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('delivers an event to every plain subscriber', async () => {
    const got: number[][] = [[], []];
    const offs = got.map((list) => h.caller.bus.subscribe(Queued, (e) => void list.push(e.n)));
    await new Promise((r) => setTimeout(r, 100));
    h.caller.bus.emit(Queued, { n: 7 });
    for (let i = 0; i < 50 && got.some((l) => l.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    offs.forEach((off) => off());
    expect(got).toEqual([[7], [7]]);
  });
});

describe('log lines', () => {
  it('carry the request id inside a request context', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 't', pod: 'p', destination: { write: (s: string) => void lines.push(s) } });
    runWithRequestId('req_abc', () => logger.info({ password: 'hunter2' }, 'hello nats://u:pw@host:4222'));
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ request_id: 'req_abc', service: 't', pod: 'p', password: '[redacted]' });
    expect(line.msg).toBe('hello nats://u:[redacted]@host:4222');
  });
});
