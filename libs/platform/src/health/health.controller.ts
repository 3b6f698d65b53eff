import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { IDENTITY } from '../service/tokens';
import type { Identity } from '../service/identity';
import { ReadinessRegistry } from './readiness.registry';

const startedAt = Date.now();

/**
 * `/health` (liveness) depends on nothing outside the process: if the event loop can answer,
 * the process is alive. `/ready` lists every named dependency check (NATS, informers, mounts),
 * with the same body when it fails (503): `error` names each failing check and why. The body is
 * sent here rather than thrown, so no app-wide exception filter (the gateway's error envelope)
 * can replace it with a generic message.
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
  async ready(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const results = await this.readiness.run();
    try {
      return await this.health.check(
        Object.entries(results).map(([name, result]) => async (): Promise<HealthIndicatorResult> => {
          const indicator = this.indicators.check(name);
          return result.ok ? indicator.up(result.detail ? { detail: result.detail } : {}) : indicator.down({ detail: result.detail ?? 'failing' });
        }),
      );
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      reply.status(503);
      return err.getResponse();
    }
  }
}
