import 'reflect-metadata';
import pino from 'pino';
import {
  type ProcessRuntime,
  createLogger,
  type RunningApp,
  SystemMetricsReporter,
  createRuntime,
  installShutdown,
  loadConfigOrExit,
  resolveIdentity,
} from '@eks-info/platform';
import { createGatewayApp, gatewayConfigRules } from '@eks-info/gateway';
import { startEnvironmentService } from '@eks-info/service-environment';
import { startScalingMonitorService } from '@eks-info/service-scaling-monitor';
import { startStorageService } from '@eks-info/service-storage';
import { startStressService } from '@eks-info/service-stress';
import { LOCAL_DEFAULTS, localConfigSpec } from './config-catalog';

export type LocalService = 'gateway' | 'environment' | 'storage' | 'stress' | 'scaling-monitor';

export interface LocalStartOptions {
  /** Values under the environment (e.g. the demo's data directory): the user's variables win. */
  defaults?: Record<string, string>;
  /** Values over the environment (e.g. the demo's KUBECONFIG, which must point at its simulated cluster). */
  overrides?: Record<string, string>;
  /**
   * Per-service values over those (the demo's downward-API variables: each service plays its own
   * pod of the simulated cluster, so the footer names the pod of each that answered).
   */
  services?: Partial<Record<LocalService, Record<string, string>>>;
  /** Services not started here (the demo runs its stress pods as separate processes on NATS). */
  without?: LocalService[];
  /** Shown in the start-up line after "local mode". */
  mode?: string;
}

/**
 * `npm start`: the gateway and every service in one process, talking over the in-process bus
 * (the same handlers and JSON round-trip as NATS). No external service is needed. With NATS_URL
 * set, the same composition talks over NATS instead. `npm run demo` starts the same composition
 * pointed at a simulated cluster.
 */
export async function startLocal(options: LocalStartOptions = {}): Promise<{ url: string }> {
  const env = { ...LOCAL_DEFAULTS, ...options.defaults, ...process.env, ...options.overrides };
  const config = loadConfigOrExit(localConfigSpec, env, gatewayConfigRules);
  const pod = resolveIdentity('eks-info', env).pod;
  // One stdout stream; each app logs under its own service name.
  const destination = pino.destination({ sync: false });
  const loggerFor = (service: string) => createLogger({ service, pod, level: config.LOG_LEVEL, destination });
  const runtime = createRuntime('eks-info', pod, config, { logger: loggerFor('eks-info') });
  // Each service gets its own logger and readiness prefix inside the shared runtime, and its own
  // identity (and configuration) where the caller gives it pod variables of its own.
  const forService = (service: LocalService): { identity: ReturnType<typeof resolveIdentity>; runtime: ProcessRuntime; config: typeof config } => {
    const own = options.services?.[service];
    const serviceEnv = own ? { ...env, ...own } : env;
    return {
      identity: resolveIdentity(service, serviceEnv),
      runtime: { ...runtime, logger: loggerFor(service), readiness: runtime.readiness.scoped(service) },
      config: own ? loadConfigOrExit(localConfigSpec, serviceEnv, gatewayConfigRules) : config,
    };
  };
  const skip = new Set(options.without ?? []);
  const services: Array<[LocalService, (context: ReturnType<typeof forService>) => Promise<RunningApp>]> = [
    ['environment', startEnvironmentService],
    ['storage', startStorageService],
    ['stress', startStressService],
    ['scaling-monitor', startScalingMonitorService],
  ];
  const apps: RunningApp[] = [];
  for (const [name, start] of services) if (!skip.has(name)) apps.push(await start(forService(name)));
  const gateway = await createGatewayApp({ ...forService('gateway'), runtime: { ...runtime, logger: loggerFor('gateway') } });
  apps.push(gateway);
  new SystemMetricsReporter(runtime.logger, config.SYSTEM_METRICS_INTERVAL_SECONDS).start();
  installShutdown(runtime, apps, { graceMs: config.SHUTDOWN_GRACE_MS });
  const url = gateway.url?.replace('127.0.0.1', 'localhost') ?? '';
  process.stderr.write(
    `\n  EKS Info is running at ${url}  (local mode${options.mode ? `, ${options.mode}` : ''}, ${runtime.transport.kind} transport, auth ${config.AUTH_MODE})\n  Ctrl-C stops it.\n\n`,
  );
  return { url };
}

if (require.main === module) {
  startLocal().catch((err: Error) => {
    process.stderr.write(`EKS Info failed to start: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
