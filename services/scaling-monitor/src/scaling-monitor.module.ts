import path from 'node:path';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { NodePrices, awsErrorLogFields, createAws, describeAwsError } from '@eks-info/aws';
import { ScalingEvents } from '@eks-info/contracts';
import { type KubeContext, createKubeContext } from '@eks-info/kube';
import { CONFIG, LOGGER, LogOnce, type Logger, MessageBus, ReadinessRegistry } from '@eks-info/platform';
import { ScalingCollector } from './collector/scaling.collector';
import { HistoryMessageController } from './history/history.message.controller';
import { HistoryService } from './history/history.service';
import { HistoryStore } from './history/history.store';
import { PriceBook } from './pricing/price-book';
import type { ScalingMonitorConfig } from './scaling-monitor.config';
import { ChangePublisher } from './snapshot/change-publisher';
import { SnapshotMessageController } from './snapshot/snapshot.message.controller';
import { SnapshotService } from './snapshot/snapshot.service';

const KUBE = Symbol('KUBE');
const AWS = Symbol('AWS');

/** Starts the collector and the change announcements once the module is up; stops them on shutdown (the history is synced to disk). */
@Injectable()
class ScalingMonitorLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KUBE) private readonly kube: KubeContext,
    @Inject(AWS) private readonly aws: ReturnType<typeof createAws>,
    private readonly collector: ScalingCollector,
    private readonly publisher: ChangePublisher,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.collector.start();
    this.publisher.start();
    // Not in a cluster is a fact, not a failure: only a configured cluster gates readiness.
    if (this.kube.hub) this.readiness.register('scaling', () => this.collector.readiness());
  }

  async onApplicationShutdown(): Promise<void> {
    this.publisher.stop();
    await this.kube.stop();
    await this.collector.stop();
    this.aws.clients.destroy();
  }
}

/**
 * The scaling-monitor: the single collector of scaling state (informers on nodes, pods, HPAs,
 * workloads, events, the Cluster Autoscaler status and Karpenter) and of its history on the
 * monitor's own volume; answers the snapshot, history and events requests and announces changes.
 */
@Module({})
export class ScalingMonitorModule {
  static forRoot(): DynamicModule {
    return {
      module: ScalingMonitorModule,
      controllers: [SnapshotMessageController, HistoryMessageController],
      providers: [
        {
          provide: KUBE,
          inject: [CONFIG, LOGGER],
          // Metrics are polled at each sample (SAMPLE_INTERVAL_SECONDS), never per request.
          useFactory: (config: ScalingMonitorConfig, logger: Logger) =>
            createKubeContext(config, { logger, metricsIntervalMs: config.SAMPLE_INTERVAL_SECONDS * 1000, podMetrics: 'namespace' }),
        },
        {
          provide: HistoryStore,
          inject: [CONFIG, LOGGER],
          useFactory: (config: ScalingMonitorConfig, logger: Logger) =>
            new HistoryStore({ dir: path.resolve(config.HISTORY_PATH), retentionDays: config.HISTORY_RETENTION_DAYS, logger }),
        },
        {
          provide: ScalingCollector,
          inject: [KUBE, HistoryStore, CONFIG, LOGGER, MessageBus],
          useFactory: (kube: KubeContext, store: HistoryStore, config: ScalingMonitorConfig, logger: Logger, bus: MessageBus) =>
            new ScalingCollector({
              namespace: kube.namespace,
              autoscalerNamespace: config.CLUSTER_AUTOSCALER_NAMESPACE,
              hub: kube.hub,
              discovery: kube.discovery,
              metrics: kube.metrics,
              unavailable: kube.access.ok ? undefined : kube.access.error,
              store,
              sampleIntervalMs: config.SAMPLE_INTERVAL_SECONDS * 1000,
              retentionDays: config.HISTORY_RETENTION_DAYS,
              maxNodes: config.SNAPSHOT_MAX_NODES,
              logger,
              onRecorded: (events) => {
                for (const e of events) bus.emit(ScalingEvents.recorded, e);
              },
              onSample: (point) => bus.emit(ScalingEvents.sampled, point),
            }),
        },
        {
          provide: AWS,
          inject: [CONFIG],
          // For node prices only (pricing:GetProducts, ec2:DescribeSpotPriceHistory); clients are created on first use.
          useFactory: (config: ScalingMonitorConfig) => createAws(config, process.env, 'scaling-monitor'),
        },
        {
          provide: PriceBook,
          inject: [AWS, ScalingCollector, CONFIG, LOGGER],
          useFactory: (aws: ReturnType<typeof createAws>, collector: ScalingCollector, config: ScalingMonitorConfig, logger: Logger) => {
            const once = new LogOnce(logger);
            const prices = new NodePrices({
              pricing: () => aws.clients.pricing,
              ec2: () => aws.clients.ec2,
              ttlMs: config.PRICE_CACHE_HOURS * 3_600_000,
              errorTtlMs: config.AWS_CACHE_TTL_SECONDS * 1000,
              onError: (action, err) => once.warn(`aws:${action}`, { action, ...awsErrorLogFields(err) }, describeAwsError(err, action).message),
            });
            return new PriceBook(prices, collector.state, {
              pricingRegion: config.PRICING_REGION,
              cacheHours: config.PRICE_CACHE_HOURS,
              simulated: config.SIMULATED_PRICES,
            });
          },
        },
        {
          provide: SnapshotService,
          inject: [ScalingCollector, PriceBook],
          useFactory: (collector: ScalingCollector, prices: PriceBook) => new SnapshotService(collector, { prices }),
        },
        {
          provide: HistoryService,
          inject: [ScalingCollector, CONFIG, PriceBook],
          useFactory: (collector: ScalingCollector, config: ScalingMonitorConfig, prices: PriceBook) =>
            new HistoryService(collector, config.SAMPLE_INTERVAL_SECONDS * 1000, Date.now, prices),
        },
        {
          provide: ChangePublisher,
          inject: [ScalingCollector, SnapshotService, MessageBus, CONFIG],
          useFactory: (collector: ScalingCollector, snapshots: SnapshotService, bus: MessageBus, config: ScalingMonitorConfig) =>
            new ChangePublisher(collector.state, bus, config.SNAPSHOT_PUSH_DELAY_MS, snapshots.startedAt),
        },
        ScalingMonitorLifecycle,
      ],
    };
  }
}
