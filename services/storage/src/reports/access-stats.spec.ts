import type { AccessRecord } from '@eks-info/contracts';
import { PartialBuilder, lastWindow, mergePartials, pathBucket, reportId } from './access-stats';
import { ReportClock } from './report-clock';

const record = (o: Partial<AccessRecord>): AccessRecord => ({
  timestamp: '2025-11-13T10:10:00.000Z',
  pod_name: 'gateway-0',
  node_name: 'node-a',
  client_ip: '203.0.113.1',
  request_path: '/',
  request_method: 'GET',
  user_agent: 'test',
  response_status: 200,
  response_time_ms: 10,
  ...o,
});

describe('access statistics', () => {
  it('puts paths in bounded buckets: pages, their sub-pages, the API, everything else', () => {
    expect(pathBucket('/')).toBe('/');
    expect(pathBucket('/ebs')).toBe('/ebs');
    expect(pathBucket('/efs/files/shared_data_x.json')).toBe('/efs');
    expect(pathBucket('/scaling/history')).toBe('/scaling/history');
    expect(pathBucket('/api/v1/storage/s3')).toBe('/api');
    expect(pathBucket('/wp-login.php')).toBe('/other');
    expect(pathBucket('/s3/')).toBe('/s3');
  });

  it('builds a pod partial: totals, distinct IPs, paths, response time, errors (status ≥ 400)', () => {
    const b = new PartialBuilder();
    b.add(record({ client_ip: '1.1.1.1', response_time_ms: 10 }));
    b.add(record({ client_ip: '1.1.1.1', request_path: '/ebs', response_time_ms: 30, response_status: 404 }));
    b.add(record({ client_ip: '2.2.2.2', request_path: '/api/v1/storage', response_time_ms: 20, response_status: 503 }));
    expect(b.build('storage-0')).toEqual({
      pod: 'storage-0',
      total: 3,
      clientIps: ['1.1.1.1', '2.2.2.2'],
      ipsTruncated: false,
      paths: { '/': 1, '/ebs': 1, '/api': 1 },
      responseTimeSumMs: 60,
      errors: 2,
    });
  });

  it('merges partials into the design seed report, counting an IP seen by two pods once', () => {
    const a = new PartialBuilder();
    a.add(record({ client_ip: '1.1.1.1', response_time_ms: 40 }));
    a.add(record({ client_ip: '9.9.9.9', request_path: '/efs', response_time_ms: 60 }));
    const b = new PartialBuilder();
    b.add(record({ client_ip: '1.1.1.1', request_path: '/efs', response_time_ms: 20, response_status: 500 }));
    const window = { start: Date.parse('2025-11-13T10:00:00Z'), end: Date.parse('2025-11-13T10:30:00Z') };
    const report = mergePartials(
      [a.build('storage-0'), b.build('storage-1'), b.build('storage-1')],
      window,
      'storage-1',
      'schedule',
      new Date('2025-11-13T10:30:10Z'),
    );
    expect(report).toEqual({
      report_id: 'stats_20251113_103000',
      time_range: { start: '2025-11-13T10:00:00.000Z', end: '2025-11-13T10:30:00.000Z' },
      statistics: { total_requests: 3, unique_ips: 2, path_distribution: { '/': 1, '/efs': 2 }, avg_response_time_ms: 40, error_count: 1 },
      generated_by: 'storage-1',
      generated_at: '2025-11-13T10:30:10.000Z',
      sources: ['storage-0', 'storage-1'],
      trigger: 'schedule',
    });
  });

  it('reports an empty window with zeros, not NaN', () => {
    const report = mergePartials([], { start: 0, end: 1_800_000 }, 'p', 'manual');
    expect(report.statistics).toEqual({ total_requests: 0, unique_ips: 0, path_distribution: {}, avg_response_time_ms: 0, error_count: 0 });
  });

  it('aligns windows to the interval so every pod picks the same one', () => {
    const interval = 30 * 60_000;
    expect(lastWindow(Date.parse('2025-11-13T10:31:05Z'), interval)).toEqual({
      start: Date.parse('2025-11-13T10:00:00Z'),
      end: Date.parse('2025-11-13T10:30:00Z'),
    });
    expect(reportId(new Date('2025-11-13T10:30:00Z'))).toBe('stats_20251113_103000');
  });

  it('schedules the report of a window a grace period after its end', () => {
    const clock = new ReportClock({ reportIntervalMs: 30 * 60_000 } as never);
    expect(clock.graceMs).toBe(10_000);
    // Just after a boundary, inside the grace: that boundary's report is still due.
    expect(new Date(clock.nextBoundary(Date.parse('2025-11-13T10:30:04Z'))).toISOString()).toBe('2025-11-13T10:30:00.000Z');
    expect(clock.nextReportAt(Date.parse('2025-11-13T10:30:04Z')).toISOString()).toBe('2025-11-13T10:30:10.000Z');
    // After the grace: the next boundary.
    expect(new Date(clock.nextBoundary(Date.parse('2025-11-13T10:30:11Z'))).toISOString()).toBe('2025-11-13T11:00:00.000Z');
    expect(new ReportClock({ reportIntervalMs: 8_000 } as never).graceMs).toBe(2_000);
  });
});
