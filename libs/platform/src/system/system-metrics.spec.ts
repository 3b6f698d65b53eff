import pino from 'pino';
import { SystemMetricsReporter, readNetDev, readProcIo } from './system-metrics';

describe('system metrics', () => {
  it('parses /proc/self/io', () => {
    expect(readProcIo('rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\n')).toEqual({ readBytes: 4096, writeBytes: 8192 });
  });

  it('sums /proc/self/net/dev without loopback', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0
  eth0: 5000 50 0 0 0 0 0 0 7000 70 0 0 0 0 0 0
  eth1: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0
`;
    expect(readNetDev(text)).toEqual({ rxBytes: 5100, txBytes: 7200 });
  });

  it('writes one structured line with CPU, memory, disk and network fields', () => {
    const lines: Array<Record<string, unknown>> = [];
    const reporter = new SystemMetricsReporter(pino({}, { write: (s: string) => void lines.push(JSON.parse(s)) }), 60);
    const fields = reporter.report();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'system_metrics', msg: 'system metrics' });
    for (const key of [
      'process_cpu_cores',
      'memory_rss_bytes',
      'disk_read_bytes',
      'disk_write_bytes',
      'net_rx_bytes',
      'net_tx_bytes',
      'event_loop_utilization',
    ]) {
      expect(fields).toHaveProperty(key);
      expect(lines[0]).toHaveProperty(key);
    }
    expect(fields.memory_rss_bytes).toBeGreaterThan(0);
  });
});
