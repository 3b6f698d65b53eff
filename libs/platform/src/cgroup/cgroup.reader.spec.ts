import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CgroupReader } from './cgroup.reader';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('CgroupReader', () => {
  it('reads cgroup v2 limits and usage of the container', () => {
    const root = tree({
      'fs/cgroup.controllers': 'cpu memory',
      'fs/cpu.max': '50000 100000\n',
      'fs/memory.max': '536870912\n',
      'fs/memory.current': '104857600\n',
      'fs/cpu.stat': 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n',
      self: '0::/\n',
    });
    const r = new CgroupReader({ root: path.join(root, 'fs'), procSelfCgroup: path.join(root, 'self') });
    expect(r.limits()).toEqual({ version: 2, cpuLimitCores: 0.5, memoryLimitBytes: 536870912, memoryCurrentBytes: 104857600 });
    expect(r.cpuUsageMicros()).toBe(1234567);
  });

  it('treats "max" as unlimited on v2', () => {
    const root = tree({ 'fs/cgroup.controllers': '', 'fs/cpu.max': 'max 100000\n', 'fs/memory.max': 'max\n', self: '0::/\n' });
    const r = new CgroupReader({ root: path.join(root, 'fs'), procSelfCgroup: path.join(root, 'self') });
    expect(r.cpuLimitCores()).toBeNull();
    expect(r.memoryLimitBytes()).toBeNull();
  });

  it("follows the process's own v2 cgroup when there is no cgroup namespace", () => {
    const root = tree({
      'fs/cgroup.controllers': '',
      'fs/cpu.max': 'max 100000\n',
      'fs/kubepods/pod1/cpu.max': '200000 100000\n',
      self: '0::/kubepods/pod1\n',
    });
    expect(new CgroupReader({ root: path.join(root, 'fs'), procSelfCgroup: path.join(root, 'self') }).cpuLimitCores()).toBe(2);
  });

  it('falls back to cgroup v1 controllers', () => {
    const root = tree({
      'fs/cpu/cpu.cfs_quota_us': '150000\n',
      'fs/cpu/cpu.cfs_period_us': '100000\n',
      'fs/cpuacct/cpuacct.usage': '5000000000\n',
      'fs/memory/app/memory.limit_in_bytes': '268435456\n',
      'fs/memory/app/memory.usage_in_bytes': '1048576\n',
      'fs/memory/memory.limit_in_bytes': '9223372036854771712\n',
      self: '4:memory:/app\n2:cpuacct:/\n1:cpu:/\n',
    });
    const r = new CgroupReader({ root: path.join(root, 'fs'), procSelfCgroup: path.join(root, 'self') });
    expect(r.limits()).toEqual({ version: 1, cpuLimitCores: 1.5, memoryLimitBytes: 268435456, memoryCurrentBytes: 1048576 });
    expect(r.cpuUsageMicros()).toBe(5_000_000);
  });

  it('reports v1 "no limit" as null', () => {
    const root = tree({
      'fs/cpu/cpu.cfs_quota_us': '-1\n',
      'fs/cpu/cpu.cfs_period_us': '100000\n',
      'fs/memory/memory.limit_in_bytes': '9223372036854771712\n',
      self: '4:memory:/\n1:cpu:/\n',
    });
    const r = new CgroupReader({ root: path.join(root, 'fs'), procSelfCgroup: path.join(root, 'self') });
    expect(r.cpuLimitCores()).toBeNull();
    expect(r.memoryLimitBytes()).toBeNull();
  });

  it('says so when there is no cgroup at all', () => {
    const r = new CgroupReader({ root: '/nonexistent-cgroup', procSelfCgroup: '/nonexistent-self' });
    expect(r.limits()).toEqual({ version: null, cpuLimitCores: null, memoryLimitBytes: null, memoryCurrentBytes: null });
  });
});
