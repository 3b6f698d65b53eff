import { Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { StressEvents } from '@eks-info/contracts';
import { loadKubeAccess } from '@eks-info/kube';
import { CONFIG, IDENTITY, type Identity, LOGGER, type Logger, MessageBus, ReadinessRegistry } from '@eks-info/platform';
import type { StressConfig } from './stress.config';
import { ResourceMonitor } from './engine/resource-monitor';
import { HeartbeatPublisher } from './heartbeat/heartbeat.publisher';
import { LoadDispatcher } from './load/load-dispatcher';
import { LoadMessageController } from './load/load.message.controller';
import { WorkUnitPool } from './load/work-unit.pool';
import { OverviewMessageController } from './overview/overview.message.controller';
import { StressHpaSource } from './overview/stress-hpa.source';
import { StressTestsMessageController } from './tests/stress-tests.message.controller';
import { StressTestsService } from './tests/stress-tests.service';

/**
 * Starts heartbeats and the HPA informer once the app is up. On SIGTERM the running test stops
 * at once (its threads and memory go before the platform's drain and grace period), so a pod
 * being replaced releases its load immediately and exits well inside its grace period.
 */
@Injectable()
class StressLifecycle implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly onSignal = () => void this.stopEverything();

  constructor(
    private readonly heartbeat: HeartbeatPublisher,
    private readonly hpa: StressHpaSource,
    private readonly tests: StressTestsService,
    private readonly dispatcher: LoadDispatcher,
    private readonly pool: WorkUnitPool,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.hpa.start();
    if (this.hpa.watching) this.readiness.register('kubernetes', () => this.hpa.readiness());
    this.heartbeat.start();
    process.once('SIGTERM', this.onSignal);
  }

  onModuleDestroy(): void {
    process.removeListener('SIGTERM', this.onSignal);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopEverything();
    await this.hpa.stop();
  }

  private async stopEverything(): Promise<void> {
    this.heartbeat.stop();
    this.dispatcher.stopAll();
    await Promise.all([this.tests.stopAll('shutdown'), this.pool.close()]);
  }
}

/** The stress service: CPU and memory tests in worker threads, sustained load, heartbeats, the stress HPA. */
@Module({
  controllers: [StressTestsMessageController, LoadMessageController, OverviewMessageController],
  providers: [
    {
      provide: ResourceMonitor,
      inject: [CONFIG],
      useFactory: (c: StressConfig) =>
        new ResourceMonitor({
          source: c.STRESS_USAGE_SOURCE,
          cpuRequestMillicores: c.CPU_REQUEST_MILLICORES,
          cpuLimitMillicores: c.CPU_LIMIT_MILLICORES,
          memoryRequestBytes: c.MEMORY_REQUEST_BYTES,
          memoryLimitBytes: c.MEMORY_LIMIT_BYTES,
          memoryHeadroomPercent: c.STRESS_MEMORY_HEADROOM_PERCENT,
          maxMemoryBytesWithoutLimit: c.STRESS_MAX_MEMORY_MB * 1024 * 1024,
        }),
    },
    {
      provide: WorkUnitPool,
      inject: [CONFIG, ResourceMonitor],
      useFactory: (c: StressConfig, monitor: ResourceMonitor) => new WorkUnitPool({ threads: () => monitor.maxWorkers(), nice: c.STRESS_WORKER_NICE }),
    },
    {
      provide: LoadDispatcher,
      inject: [CONFIG, IDENTITY, MessageBus],
      useFactory: (c: StressConfig, identity: Identity, bus: MessageBus) =>
        new LoadDispatcher({ unitMs: c.STRESS_WORK_UNIT_MS, pod: identity.pod, node: identity.node, publish: (unit) => bus.emit(StressEvents.workUnit, unit) }),
    },
    {
      provide: StressHpaSource,
      inject: [CONFIG, LOGGER],
      useFactory: (c: StressConfig, logger: Logger) =>
        new StressHpaSource({
          access: loadKubeAccess(c),
          name: c.STRESS_HPA_NAME,
          watchdogSeconds: c.KUBE_WATCHDOG_SECONDS,
          logger,
          simulated: c.SIMULATED_SOURCES,
        }),
    },
    StressTestsService,
    HeartbeatPublisher,
    StressLifecycle,
  ],
})
export class StressModule {}
