/** The part of an AWS SDK v3 client's middleware stack that {@link countSdkCalls} uses. */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: never) => Promise<unknown>, context: { commandName?: string }) => (args: never) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Counts the commands an SDK client sends, by command name, with a middleware at the start of
 * its stack: one count per `send()`, before retries, cache-independent.
 */
export function countSdkCalls(client: MiddlewareClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countSdkCalls' },
  );
  return counts;
}
