import type { ConfigOf, ConfigRule, ConfigSpec } from '../config/config.schema';
import type { commonConfig } from '../config/common.config';
import { SystemMetricsReporter } from '../system/system-metrics';
import { resolveIdentity, type Identity } from './identity';
import { createRuntime, loadConfigOrExit, type CommonConfig, type ProcessRuntime } from './runtime';
import type { RunningApp } from './service-app';
import { installShutdown } from './shutdown';

export interface ProcessContext<C> {
  identity: Identity;
  runtime: ProcessRuntime;
  config: C;
}

/**
 * The whole `main.ts` of a deployed process: validate config (exit 78 naming every bad
 * variable), build the runtime (NATS), start the app, log system metrics every minute and shut
 * down gracefully on SIGTERM. Each service's and the gateway's main is one call to this.
 */
export function runProcess<S extends ConfigSpec>(options: {
  name: string;
  config: S;
  rules?: ConfigRule<S & typeof commonConfig>[];
  start: (context: ProcessContext<ConfigOf<S> & CommonConfig>) => Promise<RunningApp>;
}): void {
  const run = async () => {
    const config = loadConfigOrExit(options.config, process.env, options.rules);
    const identity = resolveIdentity(options.name);
    const runtime = createRuntime(options.name, identity.pod, config);
    const app = await options.start({ identity, runtime, config });
    new SystemMetricsReporter(runtime.logger, config.SYSTEM_METRICS_INTERVAL_SECONDS).start();
    installShutdown(runtime, [app], { graceMs: config.SHUTDOWN_GRACE_MS });
  };
  run().catch((err: Error) => {
    process.stderr.write(`${options.name} failed to start: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
