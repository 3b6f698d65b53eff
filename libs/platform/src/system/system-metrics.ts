import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { CgroupReader } from '../cgroup/cgroup.reader';

/**
 * One structured log line of system metrics per interval (requirement 8.5): CPU (from the
 * cgroup when it can be read, else the process), memory, disk I/O and network since the last
 * line. One reporter per process, even when `npm start` runs several apps in it.
 */
interface Counters {
  at: number;
  processCpuMicros: number;
  cgroupCpuMicros: number | null;
  readBytes: number;
  writeBytes: number;
  rxBytes: number;
  txBytes: number;
}

export function readProcIo(text = safeRead('/proc/self/io')): { readBytes: number; writeBytes: number } {
  const get = (key: string) => Number(text.match(new RegExp(`^${key}: (\\d+)$`, 'm'))?.[1] ?? 0);
  return { readBytes: get('read_bytes'), writeBytes: get('write_bytes') };
}

export function readNetDev(text = safeRead('/proc/self/net/dev')): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rxBytes += f[0] ?? 0;
    txBytes += f[8] ?? 0;
  }
  return { rxBytes, txBytes };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export class SystemMetricsReporter {
  private static started = false;
  private timer?: NodeJS.Timeout;
  private last?: Counters;
  private readonly cgroup = new CgroupReader();

  constructor(
    private readonly logger: Logger,
    private readonly intervalSeconds: number,
  ) {}

  /** Starts the per-interval line unless another app of this process already did. */
  start(): void {
    if (this.intervalSeconds <= 0 || SystemMetricsReporter.started) return;
    SystemMetricsReporter.started = true;
    this.last = this.sample();
    this.timer = setInterval(() => this.report(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      SystemMetricsReporter.started = false;
    }
  }

  /** Builds the line (exposed for tests). */
  report(): Record<string, number | null> {
    const now = this.sample();
    const prev = this.last ?? now;
    this.last = now;
    const seconds = Math.max((now.at - prev.at) / 1000, 0.001);
    const limit = this.cgroup.cpuLimitCores();
    const cores = (now.processCpuMicros - prev.processCpuMicros) / 1e6 / seconds;
    const cgroupCores = now.cgroupCpuMicros !== null && prev.cgroupCpuMicros !== null ? (now.cgroupCpuMicros - prev.cgroupCpuMicros) / 1e6 / seconds : null;
    const mem = process.memoryUsage();
    const fields = {
      interval_s: Math.round(seconds),
      process_cpu_cores: round(cores),
      cgroup_cpu_cores: cgroupCores === null ? null : round(cgroupCores),
      cpu_percent_of_limit: limit && cgroupCores !== null ? round((cgroupCores / limit) * 100) : null,
      cpu_limit_cores: limit,
      memory_rss_bytes: mem.rss,
      memory_heap_used_bytes: mem.heapUsed,
      memory_cgroup_bytes: this.cgroup.memoryCurrentBytes(),
      memory_limit_bytes: this.cgroup.memoryLimitBytes(),
      disk_read_bytes: now.readBytes - prev.readBytes,
      disk_write_bytes: now.writeBytes - prev.writeBytes,
      net_rx_bytes: now.rxBytes - prev.rxBytes,
      net_tx_bytes: now.txBytes - prev.txBytes,
      event_loop_utilization: round(performance.eventLoopUtilization().utilization),
    };
    this.logger.info({ kind: 'system_metrics', ...fields }, 'system metrics');
    return fields;
  }

  private sample(): Counters {
    const usage = process.cpuUsage();
    const io = readProcIo();
    const net = readNetDev();
    return {
      at: Date.now(),
      processCpuMicros: usage.user + usage.system,
      cgroupCpuMicros: this.cgroup.cpuUsageMicros(),
      ...io,
      ...net,
    };
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
