import type { ProcessRuntime } from './runtime';

export interface Closable {
  /** Stop taking bus messages, replying to those taken (a service's NATS handlers). */
  stopMessages?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT, once per process, in this order:
 * 1. turn not-ready (load balancers and Services stop sending), wait the grace period;
 * 2. stop taking bus messages: NATS routes new requests to the other replicas, the handlers
 *    that took one finish and reply (the connection is still up);
 * 3. close the apps, last started first: HTTP requests in flight finish (a gateway still has
 *    the bus for them), then the modules close their stores;
 * 4. drain and close the bus connection; exit.
 * A hard deadline guarantees the process ends even if something hangs.
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
      for (const app of apps) await app.stopMessages?.().catch((err: Error) => logger.warn({ err: err.message }, 'stopping the message handlers failed'));
      for (const app of [...apps].reverse()) await app.close().catch((err: Error) => logger.warn({ err: err.message }, 'close failed'));
      await runtime.bus.close().catch(() => undefined);
      clearTimeout(deadline);
      logger.info('stopped');
      logger.flush?.();
    })();
    return started;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit(0)));
  process.once('SIGINT', () => void shutdown('SIGINT').then(() => process.exit(0)));
  return () => shutdown('manual');
}
