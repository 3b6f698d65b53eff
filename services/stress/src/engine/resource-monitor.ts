import os from 'node:os';
import type { StressCpuUsage, StressMemoryUsage, StressUsageSource } from '@eks-info/contracts';
import { CgroupReader } from '@eks-info/platform';

export interface ResourceSettings {
  /** `auto`: the cgroup for a resource it limits (a container), else this process. */
  source: 'auto' | 'cgroup' | 'process';
  cpuRequestMillicores?: number;
  cpuLimitMillicores?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
  memoryHeadroomPercent: number;
  /** Largest memory test where nothing limits the memory (STRESS_MAX_MEMORY_MB, in bytes). */
  maxMemoryBytesWithoutLimit: number;
}

/** What a memory test may take now, and which bound decided it. */
export interface MemoryCap {
  bytes: number;
  /** `limit`: limit − current − headroom; `os`: what the OS reports available minus the headroom; `configured`: STRESS_MAX_MEMORY_MB. */
  bound: 'limit' | 'os' | 'configured';
}

const MiB = 1024 * 1024;
const pct = (part: number, whole: number | null): number | null => (whole && whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);

/**
 * The pod's CPU and memory as the HPA and the OOM killer see them: limits from the cgroup (the
 * downward-API values when the cgroup sets none), requests from the downward API (a cgroup does
 * not hold them), usage from cgroup counters. `os.cpus()`/`os.totalmem()` describe the host and
 * are never used for usage. Where the cgroup limits nothing (a laptop, a test), the cgroup may be
 * the whole machine's, so usage is this process's own.
 */
export class ResourceMonitor {
  private last?: { wallMs: number; cpuMicros: number };

  constructor(
    private readonly settings: ResourceSettings,
    private readonly cgroup: CgroupReader = new CgroupReader(),
  ) {}

  /** CPU limit in millicores: cgroup quota, else the downward API, else none. */
  cpuLimitMillicores(): number | null {
    const cores = this.cgroup.cpuLimitCores();
    if (cores !== null) return Math.round(cores * 1000);
    return this.settings.cpuLimitMillicores ?? null;
  }

  memoryLimitBytes(): number | null {
    return this.cgroup.memoryLimitBytes() ?? this.settings.memoryLimitBytes ?? null;
  }

  cpuSource(): StressUsageSource {
    return this.pick(this.cgroup.cpuLimitCores() !== null && this.cgroup.cpuUsageMicros() !== null);
  }

  memorySource(): StressUsageSource {
    return this.pick(this.cgroup.memoryLimitBytes() !== null && this.cgroup.memoryCurrentBytes() !== null);
  }

  /** Worker threads a CPU test may use: ceil(CPU limit); without a limit, the cores this process may run on. */
  maxWorkers(): number {
    const limit = this.cpuLimitMillicores();
    return limit !== null ? Math.max(1, Math.ceil(limit / 1000)) : os.availableParallelism();
  }

  memoryCurrentBytes(): number {
    if (this.memorySource() === 'cgroup') return this.cgroup.memoryCurrentBytes() ?? process.memoryUsage.rss();
    return process.memoryUsage.rss();
  }

  /**
   * Bytes a memory test may still take: limit − current − headroom (headroom = a share of the
   * limit). Without any limit the host's free memory is no bound worth having (a test once took
   * 80 % of a host's): the smaller of STRESS_MAX_MEMORY_MB and what the OS reports available
   * minus the same share.
   */
  memoryCap(): MemoryCap {
    const headroom = this.settings.memoryHeadroomPercent / 100;
    const limit = this.memoryLimitBytes();
    if (limit !== null) return { bytes: Math.max(0, Math.floor(limit - this.memoryCurrentBytes() - limit * headroom)), bound: 'limit' };
    const os = Math.max(0, Math.floor(process.availableMemory() * (1 - headroom)));
    const configured = this.settings.maxMemoryBytesWithoutLimit;
    return configured <= os ? { bytes: configured, bound: 'configured' } : { bytes: os, bound: 'os' };
  }

  availableBytes(): number {
    return this.memoryCap().bytes;
  }

  availableMb(): number {
    return Math.floor(this.availableBytes() / MiB);
  }

  /** CPU since the previous call (the first call covers the time since the process started). */
  sampleCpu(): StressCpuUsage {
    const source = this.cpuSource();
    const now = performance.now();
    const micros = source === 'cgroup' ? (this.cgroup.cpuUsageMicros() ?? 0) : processCpuMicros();
    const previous = this.last ?? { wallMs: 0, cpuMicros: source === 'cgroup' ? micros : 0 };
    this.last = { wallMs: now, cpuMicros: micros };
    const wallMs = now - previous.wallMs;
    const used = wallMs > 0 ? Math.max(0, Math.round((micros - previous.cpuMicros) / wallMs)) : 0;
    const limit = this.cpuLimitMillicores();
    const request = this.settings.cpuRequestMillicores ?? null;
    return {
      usedMillicores: used,
      limitMillicores: limit,
      requestMillicores: request,
      percentOfLimit: pct(used, limit),
      percentOfRequest: pct(used, request),
      source,
    };
  }

  sampleMemory(): StressMemoryUsage {
    const current = this.memoryCurrentBytes();
    const limit = this.memoryLimitBytes();
    const request = this.settings.memoryRequestBytes ?? null;
    return {
      currentBytes: current,
      limitBytes: limit,
      requestBytes: request,
      percentOfLimit: pct(current, limit),
      percentOfRequest: pct(current, request),
      source: this.memorySource(),
    };
  }

  private pick(cgroupUsable: boolean): StressUsageSource {
    if (this.settings.source === 'process') return 'process';
    if (this.settings.source === 'cgroup') return 'cgroup';
    return cgroupUsable ? 'cgroup' : 'process';
  }
}

/** CPU time of every thread of this process (workers included), in microseconds. */
function processCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
