import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CommonErrors, type PodStartOutcome, type PodStopOutcome, type StartTestRequest, StressRpc, type StressStopRequest } from '@eks-info/contracts';
import { DomainException, OnRequest } from '@eks-info/platform';
import { LoadDispatcher } from '../load/load-dispatcher';
import { WorkUnitPool } from '../load/work-unit.pool';
import { StressTestsService } from './stress-tests.service';

@Controller()
export class StressTestsMessageController {
  constructor(
    private readonly tests: StressTestsService,
    private readonly dispatcher: LoadDispatcher,
    private readonly pool: WorkUnitPool,
  ) {}

  /** `one`: this pod was picked by the queue group; a refusal is an error the caller sees as 4xx. */
  @OnRequest(StressRpc.start)
  start(@Payload() request: StartTestRequest) {
    return this.tests.start(request);
  }

  /** `all`: every pod answers; a refusal is part of the answer, so the caller can list who refused. */
  @OnRequest(StressRpc.startAll)
  startAll(@Payload() request: StartTestRequest): Omit<PodStartOutcome, 'servedBy'> {
    try {
      const { test, duplicate } = this.tests.start(request);
      return { accepted: true, test, duplicate };
    } catch (err) {
      if (err instanceof DomainException) return { accepted: false, error: err.body };
      return { accepted: false, error: { code: CommonErrors.INTERNAL.code, message: (err as Error).message } };
    }
  }

  /** Broadcast: the pods running this test, or dispatching this load, stop it. */
  @OnRequest(StressRpc.stop)
  async stop(@Payload() request: StressStopRequest): Promise<Omit<PodStopOutcome, 'servedBy'>> {
    const id = String(request?.id ?? '');
    const test = await this.tests.stop(id);
    const load = this.dispatcher.stop(id);
    this.pool.cancel(id);
    return { found: Boolean(test || load), ...(test ? { test } : {}), ...(load ? { load } : {}) };
  }
}
