import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { currentRequestId } from './request-context';
import { LOG_REDACT_PATHS, REDACTED, redactLogFields, redactUrlCredentials } from './redact';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  pod: string;
  level?: string;
  /** Where lines go; stdout by default (tests pass a stream). */
  destination?: pino.DestinationStream;
}

/** One JSON line per event; every line carries service, pod and, inside a request, its id. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, pod: options.pod },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Credentials inside URLs and query strings never reach a log line, in a field either
      // ({ err: 'connect to nats://app:s3cr3t@nats failed' }).
      formatters: { level: (label) => ({ level: label }), log: redactLogFields },
      messageKey: 'msg',
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { request_id: requestId } : {};
      },
      redact: { paths: LOG_REDACT_PATHS, censor: REDACTED },
      hooks: {
        // ... nor in the message (nats://user:pass@host, nats://token@host, ?token=…).
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = redactUrlCredentials(args[i] as string);
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** Adapter so Nest's own messages (module init, routes) go through the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    // Nest's start-up chatter (every route, every module) is debug-level for operators.
    const quiet = context && ['RoutesResolver', 'RouterExplorer', 'InstanceLoader', 'NestFactory', 'NestMicroservice', 'NestApplication'].includes(context);
    this.write(quiet ? 'debug' : 'info', message, context);
  }
  error(message: unknown, stack?: string, context?: string): void {
    this.logger.error({ context, stack: stack && !stack.includes('\n') ? undefined : stack }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
