import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HealthController } from '../health/health.controller';
import { ReadinessRegistry } from '../health/readiness.registry';
import { MessageBus } from '../transport/message-bus';
import type { Identity } from './identity';
import type { ProcessRuntime } from './runtime';
import { CONFIG, IDENTITY, LOGGER } from './tokens';

export interface PlatformModuleOptions {
  identity: Identity;
  runtime: ProcessRuntime;
  config: unknown;
  /** Serve /health, /ready and /metrics from this app (false for services inside `npm start`). */
  managementRoutes: boolean;
}

/**
 * Global providers every app gets: LOGGER, IDENTITY, CONFIG, the MessageBus and the readiness
 * registry; and, when the app has a management port, /health,
 * /ready (terminus) and /metrics (Prometheus).
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const { identity, runtime, config } = options;
    return {
      module: PlatformModule,
      imports: options.managementRoutes
        ? [TerminusModule.forRoot({ logger: false }), PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: false } })]
        : [],
      controllers: options.managementRoutes ? [HealthController] : [],
      providers: [
        { provide: LOGGER, useValue: runtime.logger },
        { provide: IDENTITY, useValue: identity },
        { provide: CONFIG, useValue: config },
        { provide: MessageBus, useValue: runtime.bus },
        { provide: ReadinessRegistry, useValue: runtime.readiness },
      ],
      exports: [LOGGER, IDENTITY, CONFIG, MessageBus, ReadinessRegistry],
    };
  }
}
