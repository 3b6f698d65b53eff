import { Controller, type DynamicModule, Module, type Type } from '@nestjs/common';
import pino from 'pino';
import { EnvironmentRpc, type EnvironmentOverview, ok, unavailable } from '@eks-info/contracts';
import {
  OnRequest,
  commonConfig,
  createRuntime,
  currentRequestId,
  createServiceApp,
  loadConfig,
  resolveIdentity,
  type RunningApp,
  type ProcessRuntime,
} from '@eks-info/platform';
import { createGatewayApp } from '../src/gateway.app';
import type { GatewayConfig } from '../src/gateway.config';
import { gatewayConfig, gatewayConfigRules } from '../src/gateway.config';

/** A minimal environment overview whose text fields carry whatever a test wants rendered. */
export function fakeOverview(text = 'pod-1'): Omit<EnvironmentOverview, 'servedBy'> {
  const notHere = unavailable({ code: 'KUBE.NOT_IN_CLUSTER', message: 'Not running in Kubernetes.' });
  return {
    pod: ok({ name: text, namespace: 'demo', ip: '10.0.0.1', node: 'node-a', serviceAccount: 'env', sources: ['test'] }),
    cluster: notHere,
    node: notHere,
    ec2: notHere,
    system: notHere,
    network: notHere,
    env: ok([{ name: 'GREETING', value: text, redacted: false }]),
    collectedAt: new Date().toISOString(),
  };
}

@Controller()
class FakeEnvironmentHandlers {
  static overviewText = 'pod-1';
  static refreshes = 0;
  /** The correlation id each handler ran with (what its logs and onward requests carry). */
  static requestIds: Array<string | undefined> = [];

  @OnRequest(EnvironmentRpc.overview)
  overview() {
    FakeEnvironmentHandlers.requestIds.push(currentRequestId());
    return fakeOverview(FakeEnvironmentHandlers.overviewText);
  }

  @OnRequest(EnvironmentRpc.refreshNetwork)
  refresh() {
    FakeEnvironmentHandlers.requestIds.push(currentRequestId());
    FakeEnvironmentHandlers.refreshes++;
    return { cleared: 3 };
  }
}

@Module({ controllers: [FakeEnvironmentHandlers] })
class FakeEnvironmentModule {}

export { FakeEnvironmentHandlers };

export interface GatewayHarness {
  url: string;
  /** The HTTP routes the gateway registered. */
  routes: Array<{ method: string; url: string }>;
  runtime: ProcessRuntime;
  close(): Promise<void>;
}

/**
 * A real gateway on a loopback port with the in-process bus; `withEnvironment` adds a fake
 * environment service (a real Nest handler on the same bus) so pages have something to render.
 */
export async function startGateway(
  env: Record<string, string> = {},
  options: { withEnvironment?: boolean; modules?: Array<Type | DynamicModule> } = {},
): Promise<GatewayHarness> {
  const config = loadConfig(
    { ...commonConfig, ...gatewayConfig },
    { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
    gatewayConfigRules,
  ) as GatewayConfig;
  const runtime = createRuntime('gateway', 'gateway-test', config, { logger: pino({ level: 'silent' }) });
  const apps: RunningApp[] = [];
  if (options.withEnvironment !== false) {
    apps.push(
      await createServiceApp({ identity: { ...resolveIdentity('environment'), pod: 'environment-test' }, runtime, module: FakeEnvironmentModule, config }),
    );
  }
  for (const module of options.modules ?? []) {
    apps.push(await createServiceApp({ identity: { ...resolveIdentity('stress'), pod: 'service-test' }, runtime, module, config }));
  }
  const gateway = await createGatewayApp({ identity: { ...resolveIdentity('gateway'), pod: 'gateway-test' }, runtime, config });
  apps.push(gateway);
  return {
    url: gateway.url!.replace('[::1]', '127.0.0.1'),
    routes: gateway.routes,
    runtime,
    async close() {
      for (const app of apps.reverse()) await app.close();
    },
  };
}
