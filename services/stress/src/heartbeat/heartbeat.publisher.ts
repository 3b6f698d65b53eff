import { Inject, Injectable } from '@nestjs/common';
import { StressEvents, type StressHeartbeat } from '@eks-info/contracts';
import { CONFIG, IDENTITY, type Identity, MessageBus } from '@eks-info/platform';
import type { StressConfig } from '../stress.config';
import { ResourceMonitor } from '../engine/resource-monitor';
import { LoadDispatcher } from '../load/load-dispatcher';
import { WorkUnitPool } from '../load/work-unit.pool';
import { StressTestsService } from '../tests/stress-tests.service';

/**
 * Publishes this pod's heartbeat every interval: CPU from cgroup counter deltas, memory, what a
 * new test may use, the running and last test, sustained-load activity. Fire-and-forget on a
 * subject every gateway replica subscribes to; a lost one is simply replaced a second later.
 */
@Injectable()
export class HeartbeatPublisher {
  private timer?: NodeJS.Timeout;
  private seq = 0;
  private readonly incarnation = new Date().toISOString();

  constructor(
    private readonly bus: MessageBus,
    @Inject(CONFIG) private readonly config: StressConfig,
    @Inject(IDENTITY) private readonly identity: Identity,
    private readonly monitor: ResourceMonitor,
    private readonly tests: StressTestsService,
    private readonly pool: WorkUnitPool,
    private readonly dispatcher: LoadDispatcher,
  ) {}

  start(): void {
    if (this.timer) return;
    this.monitor.sampleCpu(); // starts the first interval's CPU delta now
    this.timer = setInterval(() => this.bus.emit(StressEvents.heartbeat, this.heartbeat()), this.config.STRESS_HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  heartbeat(): StressHeartbeat {
    return {
      pod: this.identity.pod,
      node: this.identity.node,
      incarnation: this.incarnation,
      seq: ++this.seq,
      at: new Date().toISOString(),
      intervalMs: this.config.STRESS_HEARTBEAT_INTERVAL_MS,
      cpu: this.monitor.sampleCpu(),
      memory: this.monitor.sampleMemory(),
      capacity: {
        maxWorkers: this.monitor.maxWorkers(),
        availableMb: this.monitor.availableMb(),
        maxDurationSeconds: this.config.STRESS_MAX_DURATION_SECONDS,
        maxLoadMillicores: this.config.STRESS_MAX_LOAD_MILLICORES,
      },
      test: this.tests.active(),
      lastTest: this.tests.last(),
      units: this.pool.sample(),
      load: this.dispatcher.status(),
      lastLoad: this.dispatcher.lastStatus(),
    };
  }
}
