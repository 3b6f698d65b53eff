import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestPinoLogger } from '../logging/logger';
import { startProcessMetrics } from '../metrics/metrics.registry';
import { InProcessServer } from '../transport/in-process.server';
import { SharedNatsServer } from '../transport/nats.server';
import { installHttpMetrics } from './http-metrics';
import type { Identity } from './identity';
import { PlatformModule } from './platform.module';
import type { ProcessRuntime } from './runtime';

@Module({})
class ServiceRootModule {}

export interface ServiceAppOptions {
  identity: Identity;
  runtime: ProcessRuntime;
  /** The service's feature module (its message controllers and their providers). */
  module: Type | DynamicModule;
  config: unknown;
  /** The management port (/health, /ready, /metrics); omit to run without HTTP (inside `npm start`). */
  http?: { port: number; host: string };
}

export interface RunningApp {
  app: NestFastifyApplication;
  /** The bound management URL, when there is one. */
  url?: string;
  /**
   * Stops taking bus messages and waits for the replies of those taken (NATS only; the
   * connection stays up). Shutdown calls it before `close`, so no handler runs on a closed store.
   */
  stopMessages?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a service as a hybrid Nest app: bus handlers plus a small Fastify port for probes and
 * scrapes. Start-up never waits for NATS: the port answers at once and /ready says what is
 * missing until the connection is up (the handlers subscribe as soon as it is).
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<RunningApp> {
  const { identity, runtime } = options;
  startProcessMetrics();
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: ServiceRootModule,
      imports: [PlatformModule.forRoot({ identity, runtime, config: options.config, managementRoutes: Boolean(options.http) }), options.module],
    },
    new FastifyAdapter({ logger: false }),
    { logger: new NestPinoLogger(runtime.logger), abortOnError: false },
  );
  installHttpMetrics(app.getHttpAdapter().getInstance(), identity.service);
  const servedBy = { service: identity.service, pod: identity.pod, node: identity.node };
  const strategy =
    runtime.transport.kind === 'nats'
      ? new SharedNatsServer(runtime.transport.connection, identity.service, servedBy)
      : new InProcessServer(runtime.transport.bus, identity.service, servedBy);
  app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  let url: string | undefined;
  if (options.http) {
    await app.listen(options.http.port, options.http.host);
    url = await app.getUrl();
  } else {
    await app.init();
  }
  runtime.logger.info({ url, transport: runtime.transport.kind }, `${identity.service} service started`);
  return {
    app,
    url,
    ...(strategy instanceof SharedNatsServer ? { stopMessages: () => strategy.close() } : {}),
    close: () => app.close(),
  };
}
