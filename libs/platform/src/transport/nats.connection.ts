import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { LogOnce } from '../logging/log-once';
import { platformMetrics } from '../metrics/metrics.registry';

export interface NatsSettings {
  servers: string[];
  name: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Replies to this process's requests arrive under it: `_INBOX.<component>` (see nats-permissions.ts). */
  inboxPrefix?: string;
  /** CA bundle that signs the server's certificate: TLS is then required. */
  tlsCaFile?: string;
}

/**
 * Reconnect forever and start even while NATS is down: a NATS outage must degrade pages, never
 * kill a process (ClientNats' defaults give up after ~20 s). Short waits make recovery after a
 * restart of nats-server take about a second.
 */
export function natsConnectionOptions(settings: NatsSettings): ConnectionOptions {
  return {
    servers: settings.servers,
    name: settings.name,
    user: settings.user,
    pass: settings.pass,
    token: settings.token,
    ...(settings.inboxPrefix ? { inboxPrefix: settings.inboxPrefix } : {}),
    ...(settings.tlsCaFile ? { tls: { caFile: settings.tlsCaFile } } : {}),
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    timeout: 2000,
    pingInterval: 10_000,
    maxPingOut: 2,
  };
}

/**
 * One NATS connection per process, shared by the Nest server (handlers) and the bus (requests,
 * events). Tracks connected/disconnected for readiness and fast 503s, and logs each kind of
 * connection trouble once per interval.
 */
export class NatsConnectionManager {
  private connection?: NatsConnection;
  private readonly ready: Promise<NatsConnection>;
  private isConnected = false;
  private closing = false;
  private readonly logOnce: LogOnce;
  private readonly gauge = platformMetrics.natsConnected();
  private readonly listeners = new Set<(connected: boolean) => void>();

  constructor(
    settings: NatsSettings,
    private readonly logger: Logger,
    private readonly service: string,
  ) {
    this.logOnce = new LogOnce(logger, 30_000);
    this.gauge.set({ service }, 0);
    this.ready = connect(natsConnectionOptions(settings)).then((nc) => {
      this.connection = nc;
      this.setConnected(true);
      logger.info({ server: nc.getServer() }, 'connected to NATS');
      void this.watchStatus(nc);
      return nc;
    });
    // With waitOnFirstConnect the promise only rejects on a fatal option error; surface it.
    this.ready.catch((err: Error) => logger.fatal({ err: err.message }, 'NATS connection cannot be established'));
  }

  get connected(): boolean {
    return this.isConnected && !this.closing;
  }

  /** The connection once established (waits through an outage at start-up). */
  whenReady(): Promise<NatsConnection> {
    return this.ready;
  }

  /** The connection if already established, for callers that must not wait. */
  current(): NatsConnection | undefined {
    return this.connection;
  }

  /**
   * Stops taking messages, lets in-flight handlers reply, then closes. Without a server to
   * drain through (an outage), or when draining stalls, it closes at once instead of hanging.
   */
  async drain(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const nc = this.connection;
    if (!nc || nc.isClosed()) return;
    if (!this.isConnected) {
      await nc.close().catch(() => undefined);
    } else {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((resolve) => {
        timer = setTimeout(() => resolve('stalled'), timeoutMs);
      });
      const outcome = await Promise.race([
        nc.drain().then(
          () => 'drained' as const,
          () => 'failed' as const,
        ),
        stalled,
      ]);
      clearTimeout(timer);
      if (outcome !== 'drained') await nc.close().catch(() => undefined);
    }
    this.setConnected(false);
  }

  /** Called on every connect/disconnect; returns the function that stops the calls. */
  onChange(listener: (connected: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setConnected(value: boolean): void {
    if (this.isConnected === value) return;
    this.isConnected = value;
    this.gauge.set({ service: this.service }, value ? 1 : 0);
    for (const listener of this.listeners) listener(value);
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.setConnected(false);
          this.logOnce.warn('nats.disconnect', { server: status.data }, 'lost the NATS connection; reconnecting (forever)');
          break;
        case 'reconnect':
          this.setConnected(true);
          this.logOnce.clear('nats.disconnect');
          this.logger.info({ server: status.data }, 'reconnected to NATS');
          break;
        case 'error':
          this.logOnce.error('nats.error', { error: String(status.data) }, 'NATS connection error');
          break;
        default:
          break;
      }
    }
  }
}
