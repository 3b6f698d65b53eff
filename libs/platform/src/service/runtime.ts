import type { Logger } from 'pino';
import { loadConfig, type ConfigOf, type ConfigRule, type ConfigSpec } from '../config/config.schema';
import { commonConfig } from '../config/common.config';
import { createLogger } from '../logging/logger';
import { ReadinessRegistry } from '../health/readiness.registry';
import { InProcessBus } from '../transport/in-process.bus';
import type { MessageBus } from '../transport/message-bus';
import { NatsBus } from '../transport/nats.bus';
import { NatsConnectionManager } from '../transport/nats.connection';
import { natsInboxPrefix } from '../transport/nats-permissions';

export type CommonConfig = ConfigOf<typeof commonConfig>;

/**
 * What one OS process shares between the Nest apps it runs: a logger, the bus (NATS or
 * in-process) and the readiness checks. A deployed service process has one app; `npm start`
 * runs the gateway and every service in one process over one in-process bus.
 */
export interface ProcessRuntime {
  logger: Logger;
  bus: MessageBus;
  transport: { kind: 'nats'; connection: NatsConnectionManager } | { kind: 'in-process'; bus: InProcessBus };
  readiness: ReadinessRegistry;
}

export function createRuntime(name: string, pod: string, config: CommonConfig, options: { logger?: Logger } = {}): ProcessRuntime {
  const logger = options.logger ?? createLogger({ service: name, pod, level: config.LOG_LEVEL });
  const readiness = new ReadinessRegistry(logger);
  if (config.NATS_URL?.length) {
    const connection = new NatsConnectionManager(
      {
        servers: config.NATS_URL,
        name: `${name}/${pod}`,
        user: config.NATS_USER,
        pass: config.NATS_PASSWORD,
        token: config.NATS_TOKEN,
        // Replies come back under the component's own prefix: its NATS user may read nothing else.
        inboxPrefix: natsInboxPrefix(name),
        tlsCaFile: config.NATS_TLS_CA_FILE,
      },
      logger,
      name,
    );
    // /ready is open without auth: it names the dependency, never its URL (which may carry a
    // user and password or a token). The URL is in the log, redacted, and in the config.
    readiness.register('nats', () =>
      connection.connected ? { ok: true, detail: 'connected' } : { ok: false, detail: 'not connected to NATS (reconnecting; see NATS_URL)' },
    );
    return { logger, readiness, transport: { kind: 'nats', connection }, bus: new NatsBus(connection, config.RPC_TIMEOUT_MS, logger) };
  }
  const bus = new InProcessBus(config.RPC_TIMEOUT_MS, logger);
  return { logger, readiness, transport: { kind: 'in-process', bus }, bus };
}

/**
 * Validates the process's configuration (common + the given specs) or exits with a message that
 * names every bad variable. Called once, first thing in each entry point.
 */
export function loadConfigOrExit<S extends ConfigSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
  rules: ConfigRule<S & typeof commonConfig>[] = [],
): ConfigOf<S> & CommonConfig {
  try {
    return loadConfig({ ...commonConfig, ...spec }, env, rules) as ConfigOf<S> & CommonConfig;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
