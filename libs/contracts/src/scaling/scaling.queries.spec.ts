import { HISTORY_HOURS, parseEventsQuery, parseHistoryQuery } from './scaling.queries';

describe('parseHistoryQuery', () => {
  it('defaults to 24 hours and accepts whole numbers from 1 to 168, as strings or numbers', () => {
    expect(parseHistoryQuery({})).toEqual({ ok: true, value: { hours: HISTORY_HOURS.default } });
    expect(parseHistoryQuery(undefined)).toEqual({ ok: true, value: { hours: 24 } });
    expect(parseHistoryQuery({ hours: '1' })).toEqual({ ok: true, value: { hours: 1 } });
    expect(parseHistoryQuery({ hours: 168 })).toEqual({ ok: true, value: { hours: 168 } });
    // A repeated query parameter: the last one counts, as with most servers.
    expect(parseHistoryQuery({ hours: ['6', '12'] })).toEqual({ ok: true, value: { hours: 12 } });
  });

  it.each([['0'], ['169'], ['-3'], ['1.5'], ['abc'], ['24h'], [2.5]])('refuses hours=%p with a 400 code that names the parameter', (hours) => {
    const result = parseHistoryQuery({ hours });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('SCALING.INVALID_QUERY');
    expect(result.error.message).toMatch(/^hours must be a whole number from 1 to 168/);
    expect(result.error.fix).toBeTruthy();
  });
});

describe('parseEventsQuery', () => {
  const now = Date.parse('2025-11-13T12:00:00Z');

  it('defaults to the last hour and 200 events', () => {
    expect(parseEventsQuery({}, now)).toEqual({
      ok: true,
      value: { since: '2025-11-13T11:00:00.000Z', until: '2025-11-13T12:00:00.000Z', types: null, namespace: null, workload: null, limit: 200 },
    });
  });

  it('reads times, comma-separated types, namespace, workload and limit', () => {
    const result = parseEventsQuery(
      {
        since: '2025-11-13T10:30:00Z',
        until: '2025-11-13T11:00:00Z',
        types: 'hpa_scale_up,pod_ready',
        namespace: 'demo',
        workload: 'Deployment/stress',
        limit: '50',
      },
      now,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        since: '2025-11-13T10:30:00.000Z',
        until: '2025-11-13T11:00:00.000Z',
        types: ['hpa_scale_up', 'pod_ready'],
        namespace: 'demo',
        workload: 'Deployment/stress',
        limit: 50,
      },
    });
  });

  it.each([
    [{ since: 'yesterday' }, /^since must be an ISO 8601 time/],
    [{ since: '2025-11-13T11:00:00Z', until: '2025-11-13T10:00:00Z' }, /^since must not be after until/],
    [{ since: '2025-10-01T00:00:00Z' }, /at most 168 hours/],
    [{ types: 'pod_ready,pod_exploded' }, /^types\[1\] unknown event type "pod_exploded"/],
    [{ namespace: 'Demo!' }, /^namespace must be a Kubernetes namespace name/],
    [{ workload: 'stress' }, /^workload must look like Kind\/name/],
    [{ limit: '0' }, /^limit must be a whole number from 1 to 1000/],
    [{ limit: '5000' }, /^limit must be a whole number from 1 to 1000/],
  ])('refuses %p', (query, message) => {
    const result = parseEventsQuery(query, now);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('SCALING.INVALID_QUERY');
      expect(result.error.message).toMatch(message);
    }
  });
});
