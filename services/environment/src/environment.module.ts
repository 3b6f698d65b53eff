import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createAws } from '@eks-info/aws';
import { type KubeContext, createKubeContext } from '@eks-info/kube';
import { CONFIG, LOGGER, type Logger, ReadinessRegistry } from '@eks-info/platform';
import type { EnvironmentConfig } from './environment.config';
import { environmentConfig } from './environment.config';
import { CLUSTER_SOURCE, EC2_SOURCE, SENSITIVE_SPECS } from './environment.tokens';
import { Ec2MetadataCollector } from './ec2/ec2-metadata.collector';
import { InterruptionCollector } from './ec2/interruption.collector';
import { NetworkCollector } from './network/network.collector';
import { NetworkMessageController } from './network/network.message.controller';
import { NetworkService } from './network/network.service';
import { KubeClusterSource } from './overview/cluster.source';
import { OverviewMessageController } from './overview/overview.message.controller';
import { OverviewService } from './overview/overview.service';
import { ResourcesCollector } from './resources/resources.collector';
import { ResourcesMessageController } from './resources/resources.message.controller';

const KUBE = Symbol('KUBE');
const AWS = Symbol('AWS');

/** Starts informers once the module is up; stops them and the AWS clients on shutdown. */
@Injectable()
class EnvironmentLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KUBE) private readonly kube: KubeContext,
    @Inject(AWS) private readonly aws: ReturnType<typeof createAws>,
    private readonly resources: ResourcesCollector,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.resources.start();
    // Not in a cluster is a fact, not a failure: only a configured cluster gates readiness.
    if (this.kube.hub) this.readiness.register('kubernetes', () => this.resources.readiness());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.kube.stop();
    this.aws.clients.destroy();
  }
}

/**
 * The environment service: the home page (pod, cluster, node, EC2, system, network, env vars),
 * /resources from shared informers and /network from cached AWS describe calls.
 */
@Module({})
export class EnvironmentModule {
  static forRoot(): DynamicModule {
    return {
      module: EnvironmentModule,
      controllers: [OverviewMessageController, ResourcesMessageController, NetworkMessageController],
      providers: [
        {
          provide: KUBE,
          inject: [CONFIG, LOGGER],
          // Shared by the home page and /resources: one informer hub, one discovery.
          useFactory: (config: EnvironmentConfig, logger: Logger) =>
            createKubeContext(config, { logger, metricsIntervalMs: config.KUBE_METRICS_POLL_SECONDS * 1000, podMetrics: 'namespace' }),
        },
        { provide: AWS, inject: [CONFIG], useFactory: (config: EnvironmentConfig) => createAws(config, process.env, 'environment') },
        {
          provide: ResourcesCollector,
          inject: [KUBE],
          useFactory: (kube: KubeContext) =>
            new ResourcesCollector({
              namespace: kube.namespace,
              hub: kube.hub,
              metrics: kube.metrics,
              unavailable: kube.access.ok ? undefined : kube.access.error,
            }),
        },
        {
          provide: CLUSTER_SOURCE,
          inject: [KUBE, CONFIG],
          useFactory: (kube: KubeContext, config: EnvironmentConfig) => new KubeClusterSource(kube.access, kube.hub, kube.discovery, config.CLUSTER_NAME),
        },
        {
          provide: Ec2MetadataCollector,
          inject: [AWS, CONFIG, LOGGER],
          useFactory: (aws: ReturnType<typeof createAws>, config: EnvironmentConfig, logger: Logger) =>
            new Ec2MetadataCollector({
              imds: aws.imds,
              ec2: aws.clients.ec2,
              cacheTtlMs: config.AWS_CACHE_TTL_SECONDS * 1000,
              // Below the section deadline, so the IMDS part shows even when EC2 is slow.
              routesDeadlineMs: Math.round((config.SECTION_DEADLINE_MS * 2) / 3),
              logger,
            }),
        },
        { provide: EC2_SOURCE, useExisting: Ec2MetadataCollector },
        { provide: InterruptionCollector, inject: [AWS], useFactory: (aws: ReturnType<typeof createAws>) => new InterruptionCollector({ imds: aws.imds }) },
        {
          provide: NetworkCollector,
          inject: [AWS, CONFIG, LOGGER],
          useFactory: (aws: ReturnType<typeof createAws>, config: EnvironmentConfig, logger: Logger) =>
            new NetworkCollector({
              ec2: aws.clients.ec2,
              elbv2: aws.clients.elbv2,
              cacheTtlMs: config.AWS_CACHE_TTL_SECONDS * 1000,
              sectionDeadlineMs: config.SECTION_DEADLINE_MS,
              logger,
            }),
        },
        { provide: SENSITIVE_SPECS, useValue: [environmentConfig] },
        OverviewService,
        NetworkService,
        EnvironmentLifecycle,
      ],
    };
  }
}
