/**
 * The home page's live stream over real HTTP: while browsers watch, the gateway asks the
 * environment service for the interruption section every few seconds (once for all of them) and
 * pushes the card when it changed; when the last browser leaves, it stops asking.
 */
import { Controller, Module } from '@nestjs/common';
import { EnvironmentRpc, type InterruptionInfo, ok } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { SseClient, waitFor } from '@eks-info/testing';
import { type GatewayHarness, startGateway } from '../../../test/gateway-harness';
import { HomeSectionsService } from './home-sections.service';

jest.setTimeout(60_000);

const none: InterruptionInfo = {
  state: 'none',
  summary: 'No spot interruption notice and no rebalance recommendation for this spot instance.',
  lifecycle: 'spot',
  spot: null,
  rebalance: null,
  checkedAt: new Date().toISOString(),
  maxAgeSeconds: 5,
};

@Controller()
class FakeInterruptions {
  static calls = 0;
  static answer: InterruptionInfo = none;

  @OnRequest(EnvironmentRpc.interruption)
  interruption() {
    FakeInterruptions.calls++;
    return { interruption: ok(FakeInterruptions.answer) };
  }
}

@Module({ controllers: [FakeInterruptions] })
class FakeInterruptionsModule {}

describe('the home page live stream', () => {
  let gw: GatewayHarness;

  beforeAll(async () => {
    gw = await startGateway({}, { modules: [FakeInterruptionsModule] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('pushes the interruption card to every browser as it changes, asking once for all, and stops asking when nobody watches', async () => {
    expect(FakeInterruptions.calls).toBe(0);
    const clients = [await SseClient.open(`${gw.url}/environment/live`), await SseClient.open(`${gw.url}/environment/live`)];
    const card = (c: SseClient, state: string) =>
      c.messages.some((m) => m.event === 'home-interruption' && m.data.includes(`data-interruption-state="${state}"`));
    await waitFor(() => clients.every((c) => card(c, 'none')), { what: 'the card at both browsers' });

    const changedAt = Date.now();
    FakeInterruptions.answer = {
      ...none,
      state: 'interruption',
      summary: 'Spot interruption notice: EC2 will stop this instance at 2025-11-13T12:02:00Z (in 118 s). Pods on this node should be drained now.',
      spot: { action: 'stop', time: '2025-11-13T12:02:00Z', secondsLeft: 118 },
    };
    await waitFor(() => clients.every((c) => card(c, 'interruption')), { timeoutMs: HomeSectionsService.POLL_MS + 3000, what: 'the notice at both browsers' });
    const took = Date.now() - changedAt;
    expect(took).toBeLessThanOrEqual(HomeSectionsService.POLL_MS + 3000);
    // One question per poll for both browsers, not one each.
    const polls = Math.ceil(took / HomeSectionsService.POLL_MS) + 1;
    expect(FakeInterruptions.calls).toBeLessThanOrEqual(polls + 1);
    expect(clients[0].messages.filter((m) => m.event === 'home-interruption').at(-1)!.data).toContain('EC2 will stop this instance');

    for (const c of clients) await c.close();
    await new Promise((r) => setTimeout(r, 300));
    const after = FakeInterruptions.calls;
    await new Promise((r) => setTimeout(r, HomeSectionsService.POLL_MS + 1000));
    expect(FakeInterruptions.calls).toBe(after);
  });
});
