import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { SystemInfo } from '@eks-info/contracts';
import { CgroupReader } from '@eks-info/platform';

/**
 * Arm CPU part numbers of the Neoverse cores AWS Graviton uses (implementer 0x41 = Arm; part
 * numbers as in the Linux kernel's arch/arm64/include/asm/cputype.h).
 */
const GRAVITON_PARTS: Record<string, string> = {
  '0xd08': 'Graviton (Cortex-A72)',
  '0xd0c': 'Graviton2 (Neoverse N1)',
  '0xd40': 'Graviton3 (Neoverse V1)',
  '0xd4f': 'Graviton4 (Neoverse V2)',
};

/** Graviton instance families carry a `g` after the generation: m7g, c6gn, r8gd, t4g, x2gd. */
export const GRAVITON_INSTANCE = /^[a-z]+\d+g[a-z]*\./;

export interface CpuIdentity {
  model: string;
  family: string | null;
  graviton: boolean;
}

/** Reads the processor model from /proc/cpuinfo (x86 "model name"; Arm implementer/part). */
export function identifyCpu(cpuinfo: string, arch: string, instanceType?: string | null): CpuIdentity {
  const field = (name: string) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.+)$`, 'mi'))?.[1].trim();
  const modelName = field('model name');
  if (arch === 'arm64') {
    const implementer = field('CPU implementer');
    const part = field('CPU part')?.toLowerCase();
    const family = implementer === '0x41' && part ? (GRAVITON_PARTS[part] ?? null) : null;
    const byInstance = instanceType ? GRAVITON_INSTANCE.test(instanceType) : false;
    return {
      model: modelName ?? (family ? `Arm ${family.replace(/^.*\((.*)\)$/, '$1')}` : `Arm (implementer ${implementer ?? '?'}, part ${part ?? '?'})`),
      family,
      graviton: family !== null || byInstance,
    };
  }
  return { model: modelName ?? os.cpus()[0]?.model ?? 'unknown', family: null, graviton: false };
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/** System and architecture facts; the container's limits come from the cgroup, not os.*. */
export class SystemCollector {
  private readonly cgroup = new CgroupReader();
  private readonly cpuinfo = readCpuinfo();

  collect(instanceType?: string | null): SystemInfo {
    const cpu = identifyCpu(this.cpuinfo, process.arch, instanceType);
    return {
      hostname: os.hostname(),
      platform: `${os.type()} ${os.release()}`,
      arch: process.arch,
      kernel: os.release(),
      nodeVersion: process.version,
      cpuModel: cpu.model,
      hostCpus: os.availableParallelism(),
      hostMemoryBytes: os.totalmem(),
      isArm64: process.arch === 'arm64',
      isGraviton: cpu.graviton,
      processorFamily: cpu.family,
      cgroup: this.cgroup.limits(),
      processRssBytes: process.memoryUsage.rss(),
      uptimeSeconds: Math.round(process.uptime()),
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    };
  }
}
