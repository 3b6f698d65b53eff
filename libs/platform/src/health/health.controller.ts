import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { IDENTITY } from '../service/tokens';
import type { Identity } from '../service/identity';
import { ReadinessRegistry } from './readiness.registry';

const startedAt = Date.now();

/**
 * `/health` (liveness) depends on nothing outside the process: if the event loop can answer,
 * the process is alive. `/ready` lists every named dependency check (NATS, informers, mounts).
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
    @Inject(IDENTITY) private readonly identity: Identity,
  ) {}

  @Get('health')
  liveness(): { status: 'ok'; service: string; pod: string; uptimeSeconds: number } {
    return { status: 'ok', service: this.identity.service, pod: this.identity.pod, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
  }

  @Get('ready')
  @HealthCheck()
  async ready() {
    const results = await this.readiness.run();
    return this.health.check(
      Object.entries(results).map(([name, result]) => async (): Promise<HealthIndicatorResult> => {
        const indicator = this.indicators.check(name);
        return result.ok ? indicator.up(result.detail ? { detail: result.detail } : {}) : indicator.down({ detail: result.detail ?? 'failing' });
      }),
    );
  }
}
