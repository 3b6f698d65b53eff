import { appendFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Test-only guard: nothing run by the tests may contact the cloud metadata addresses (the SDK's
 * default credential chain tries them when it finds no credentials). Installed in Jest workers
 * and, via `--require`, in every process the tests start. A blocked attempt fails the connection,
 * is printed, and is appended to METADATA_GUARD_LOG so a test can assert none happened.
 */
export const METADATA_HOSTS = new Set(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '[fd00:ec2::254]', 'instance-data', 'instance-data.ec2.internal']);

const INSTALLED = Symbol.for('eks-info.metadata-guard');

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first); // internal normalised form
  if (first && typeof first === 'object') return (first as { host?: string }).host;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return typeof args[1] === 'string' ? args[1] : undefined;
  return undefined;
}

export function installMetadataGuard(logFile = process.env.METADATA_GUARD_LOG): void {
  const proto = net.Socket.prototype as unknown as Record<symbol, boolean> & { connect: (...args: unknown[]) => net.Socket };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const original = proto.connect;
  proto.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host && METADATA_HOSTS.has(host.toLowerCase())) {
      const line = `${new Date().toISOString()} pid=${process.pid} blocked connection to cloud metadata address ${host}\n`;
      process.stderr.write(`[metadata-guard] ${line}`);
      if (logFile) {
        try {
          appendFileSync(logFile, line);
        } catch {
          // the guard must never break the process it protects
        }
      }
      const err = Object.assign(new Error(`metadata guard: connection to ${host} blocked in tests`), { code: 'EACCES' });
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return original.apply(this, args);
  };
}
