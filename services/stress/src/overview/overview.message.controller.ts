import { Controller, Inject } from '@nestjs/common';
import { type StressOverview, StressRpc } from '@eks-info/contracts';
import { CONFIG, OnRequest } from '@eks-info/platform';
import type { StressConfig } from '../stress.config';
import { ResourceMonitor } from '../engine/resource-monitor';
import { StressHpaSource } from './stress-hpa.source';

/** The chart's default HPA CPU target, used for the replica sum when no HPA is visible. */
const DEFAULT_CPU_TARGET = 70;

@Controller()
export class OverviewMessageController {
  constructor(
    private readonly hpa: StressHpaSource,
    private readonly monitor: ResourceMonitor,
    @Inject(CONFIG) private readonly config: StressConfig,
  ) {}

  @OnRequest(StressRpc.overview)
  overview(): Omit<StressOverview, 'servedBy'> {
    const hpa = this.hpa.view();
    const target = hpa.status === 'ok' ? hpa.data.metrics.find((m) => m.name === 'cpu')?.targetUtilization : null;
    return {
      bounds: {
        minDurationSeconds: 5,
        maxDurationSeconds: this.config.STRESS_MAX_DURATION_SECONDS,
        maxWorkers: this.monitor.maxWorkers(),
        memoryHeadroomPercent: this.config.STRESS_MEMORY_HEADROOM_PERCENT,
        maxLoadMillicores: this.config.STRESS_MAX_LOAD_MILLICORES,
        workUnitMs: this.config.STRESS_WORK_UNIT_MS,
      },
      hpa,
      cpuTargetPercent: target ?? DEFAULT_CPU_TARGET,
      cpuTargetSource: target ? 'hpa' : 'default',
    };
  }
}
