import path from 'node:path';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AwsClients, NodePrices, awsCallDeadlineMs, awsErrorLogFields, describeAwsError, regionOfZone } from '@eks-info/aws';
import { ScalingEvents } from '@eks-info/contracts';
import { type KubeContext, createKubeContext } from '@eks-info/kube';
import { CONFIG, LOGGER, LogOnce, type Logger, MessageBus, ReadinessRegistry, inKubernetes } from '@eks-info/platform';
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
/** A failed price lookup is tried again after this long (a permission granted meanwhile shows within it). */
const PRICE_ERROR_RETRY_MS = 5 * 60_000;

/** Starts the collector and the change announcements once the module is up; stops them on shutdown (the history is synced to disk). */
@Injectable()
class ScalingMonitorLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KUBE) private readonly kube: KubeContext,
    @Inject(AWS) private readonly aws: AwsClients,
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
    this.aws.destroy();
  }
}

/** Outside a cluster the monitor calls AWS only when AWS_REGION is set (else the section says so: "no AWS region"). */
function requireRegionOutsideCluster(config: ScalingMonitorConfig): void {
  if (!config.AWS_REGION && !inKubernetes(process.env))
    throw new Error('Region is missing: AWS_REGION is unset (outside a cluster it is not taken from the nodes)');
}

/** The region of the cluster's nodes (from a zone label), for AWS calls in a cluster when AWS_REGION is unset. */
function nodesRegion(collector: ScalingCollector, inCluster: boolean): string {
  if (!inCluster) throw new Error('Region is missing: AWS_REGION is unset (outside a cluster it is not taken from the nodes)');
  for (const n of collector.state.nodes.values()) {
    const region = n.zone ? regionOfZone(n.zone) : null;
    if (region) return region;
  }
  throw new Error('Region is missing: AWS_REGION is unset and no node has a zone label to take it from');
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
          inject: [CONFIG, ScalingCollector],
          // For node prices only (pricing:GetProducts, ec2:DescribeSpotPriceHistory); clients are created on first use.
          // Without AWS_REGION, in a cluster, the spot prices are asked in the nodes' own region (their zone labels): no IMDS
          // needed. Outside a cluster AWS is only called when AWS_REGION says where.
          useFactory: (config: ScalingMonitorConfig, collector: ScalingCollector) =>
            new AwsClients({
              region: config.AWS_REGION ?? (async () => nodesRegion(collector, inKubernetes(process.env))),
              requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS,
              connectTimeoutMs: config.AWS_CONNECT_TIMEOUT_MS,
              maxAttempts: config.AWS_MAX_ATTEMPTS,
              callDeadlineMs: awsCallDeadlineMs(config, config.RPC_TIMEOUT_MS),
              pricingRegion: config.PRICING_REGION,
              // Its key in the chart's values, named in a missing-role message.
              component: 'scalingMonitor',
            }),
        },
        {
          provide: PriceBook,
          inject: [AWS, ScalingCollector, CONFIG, LOGGER],
          useFactory: (aws: AwsClients, collector: ScalingCollector, config: ScalingMonitorConfig, logger: Logger) => {
            const once = new LogOnce(logger);
            const prices = new NodePrices({
              // Outside a cluster AWS is called only where AWS_REGION says (the Pricing API has its own region, so check here).
              pricing: () => (requireRegionOutsideCluster(config), aws.pricing),
              ec2: () => (requireRegionOutsideCluster(config), aws.ec2),
              ttlMs: config.PRICE_CACHE_HOURS * 3_600_000,
              errorTtlMs: PRICE_ERROR_RETRY_MS,
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
