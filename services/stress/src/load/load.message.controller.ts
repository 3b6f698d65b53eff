import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { StressErrors, StressEvents, StressRpc, StressRules, type SustainedLoadRequest, type WorkUnit } from '@eks-info/contracts';
import { CONFIG, DomainException, LOGGER, type Logger, OnEvent, OnRequest } from '@eks-info/platform';
import type { StressConfig } from '../stress.config';
import { LoadDispatcher } from './load-dispatcher';
import { WorkUnitPool } from './work-unit.pool';

@Controller()
export class LoadMessageController {
  constructor(
    private readonly dispatcher: LoadDispatcher,
    private readonly pool: WorkUnitPool,
    @Inject(CONFIG) private readonly config: StressConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** This pod dispatches the load; a second load while one runs here is refused with its name. */
  @OnRequest(StressRpc.startLoad)
  startLoad(@Payload() request: SustainedLoadRequest) {
    // The payload passed the contract's schema (@OnRequest); this pod's own maxima narrow it further.
    const known = this.dispatcher.known(request.loadId);
    if (known) return { load: this.dispatcher.status(known)!, duplicate: true };
    const checked = StressRules.checkLoad(request, {
      maxDurationSeconds: this.config.STRESS_MAX_DURATION_SECONDS,
      maxMillicores: this.config.STRESS_MAX_LOAD_MILLICORES,
    });
    if (!checked.ok) throw new DomainException(StressErrors.INVALID, checked.error.message, { details: checked.error.details, fix: checked.error.fix });
    const running = this.dispatcher.status();
    if (running) {
      throw new DomainException(StressErrors.CONFLICT, `Sustained load ${running.id} (${running.millicores}m) is still running.`, {
        fix: `Stop load ${running.id} first (DELETE /api/v1/stress/tests/${running.id}) or wait until it ends.`,
      });
    }
    const load = this.dispatcher.start(request.loadId, checked.value.millicores, checked.value.durationSeconds);
    this.logger.info({ load }, `sustained load ${load.id} started: ${load.millicores}m for ${load.durationSeconds} s`);
    return { load, duplicate: false };
  }

  /** One unit of some pod's sustained load, handed to this pod by the queue group. */
  @OnEvent(StressEvents.workUnit)
  unit(@Payload() unit: WorkUnit): void {
    if (unit && typeof unit.cpuMs === 'number' && unit.cpuMs > 0 && unit.cpuMs <= 1000) this.pool.submit(unit);
  }
}
