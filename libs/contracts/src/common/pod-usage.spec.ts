import { podUsageRow } from './pod-usage';

const MiB = 2 ** 20;
const pod = {
  namespace: 'demo',
  name: 'web-1',
  node: 'n1',
  cpuRequestMillis: 200,
  cpuLimitMillis: 1000,
  memoryRequestBytes: 256 * MiB,
  memoryLimitBytes: 512 * MiB,
};

describe('podUsageRow', () => {
  it('puts usage against requests and limits in percent', () => {
    const row = podUsageRow({ ...pod, usage: { cpuMillis: 150, memoryBytes: 128 * MiB } });
    expect(row.cpu).toEqual({ used: 150, request: 200, limit: 1000, ofRequestPercent: 75, ofLimitPercent: 15 });
    expect(row.memory).toEqual({ used: 128 * MiB, request: 256 * MiB, limit: 512 * MiB, ofRequestPercent: 50, ofLimitPercent: 25 });
    expect(row).toMatchObject({ aboveRequest: [], health: 'ok' });
    expect(row).not.toHaveProperty('simulated');
  });

  it('flags each resource used beyond its request, yellow', () => {
    expect(podUsageRow({ ...pod, usage: { cpuMillis: 201, memoryBytes: 300 * MiB } })).toMatchObject({ aboveRequest: ['cpu', 'memory'], health: 'warn' });
    // Exactly the request is not above it.
    expect(podUsageRow({ ...pod, usage: { cpuMillis: 200, memoryBytes: 256 * MiB } })).toMatchObject({ aboveRequest: [], health: 'ok' });
  });

  it('counts any use of a resource without a request as above it, and has no percentages there', () => {
    const row = podUsageRow({ ...pod, cpuRequestMillis: 0, memoryRequestBytes: 0, usage: { cpuMillis: 5, memoryBytes: 10 * MiB } });
    expect(row.aboveRequest).toEqual(['cpu', 'memory']);
    expect(row.cpu.ofRequestPercent).toBeNull();
  });

  it('is red when memory reaches 90 % of its limit (the OOM kill comes at the limit), yellow when CPU is throttled near its limit', () => {
    expect(podUsageRow({ ...pod, usage: { cpuMillis: 100, memoryBytes: 461 * MiB } }).health).toBe('error');
    expect(podUsageRow({ ...pod, usage: { cpuMillis: 100, memoryBytes: 460 * MiB } }).health).toBe('warn');
    expect(podUsageRow({ ...pod, cpuRequestMillis: 1000, usage: { cpuMillis: 950, memoryBytes: 100 * MiB } })).toMatchObject({
      aboveRequest: [],
      health: 'warn',
    });
  });

  it('has no usage figures and no flags before metrics-server sampled the pod, and no limit percentages without limits', () => {
    const row = podUsageRow({ ...pod, cpuLimitMillis: null, memoryLimitBytes: null, usage: null });
    expect(row.cpu).toEqual({ used: null, request: 200, limit: null, ofRequestPercent: null, ofLimitPercent: null });
    expect(row).toMatchObject({ aboveRequest: [], health: 'ok' });
  });

  it('keeps the mark of usage the demo made up, and of a pod being deleted', () => {
    expect(podUsageRow({ ...pod, usage: { cpuMillis: 1, memoryBytes: 1 }, simulated: true }).simulated).toBe(true);
    expect(podUsageRow({ ...pod, usage: null, terminating: true }).terminating).toBe(true);
    expect(podUsageRow({ ...pod, usage: null, terminating: false })).not.toHaveProperty('terminating');
  });
});
