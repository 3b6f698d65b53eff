import type { ProcessRuntime } from './runtime';

export interface Closable {
  close(): Promise<void>;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT, once per process: turn not-ready (load balancers and
 * Services stop sending), wait the grace period, close the apps (in-flight requests finish),
 * drain the bus, exit. A hard deadline guarantees the process ends even if something hangs.
 */
export function installShutdown(
  runtime: ProcessRuntime,
  apps: Closable[],
  options: { graceMs: number; hardDeadlineMs?: number; before?: () => Promise<void> | void },
): () => Promise<void> {
  let started: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    if (started) return started;
    started = (async () => {
      const { logger } = runtime;
      logger.info({ signal, graceMs: options.graceMs }, 'shutting down: not ready, draining');
      const deadline = setTimeout(
        () => {
          logger.error('shutdown exceeded its deadline; exiting');
          process.exit(1);
        },
        options.graceMs + (options.hardDeadlineMs ?? 10_000),
      );
      deadline.unref();
      runtime.readiness.drain();
      await options.before?.();
      if (options.graceMs > 0) await new Promise((r) => setTimeout(r, options.graceMs));
      for (const app of [...apps].reverse()) await app.close().catch((err: Error) => logger.warn({ err: err.message }, 'close failed'));
      await runtime.bus.close().catch(() => undefined);
      logger.info('stopped');
      logger.flush?.();
    })();
    return started;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit(0)));
  process.once('SIGINT', () => void shutdown('SIGINT').then(() => process.exit(0)));
  return () => shutdown('manual');
}
