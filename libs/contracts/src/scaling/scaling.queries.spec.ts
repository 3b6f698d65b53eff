import {
  HISTORY_HOURS,
  isDefaultNodesQuery,
  nodesQueryString,
  parseEventsQuery,
  parseHistoryQuery,
  parseNodesQuery,
  parseSnapshotQuery,
} from './scaling.queries';

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

describe('parseNodesQuery', () => {
  const none = { group: null, zone: null, capacityType: null, state: null, name: null };

  it('defaults to every node, the ones that need attention first, 24 a page', () => {
    expect(parseNodesQuery({})).toEqual({ ok: true, value: { filters: none, sort: 'attention', page: 1, limit: 24 } });
    // What an untouched filter form sends: empty fields are not filters.
    expect(parseNodesQuery({ group: '', zone: '', capacityType: '', state: '', name: '  ', sort: '' })).toEqual({
      ok: true,
      value: { filters: none, sort: 'attention', page: 1, limit: 24 },
    });
  });

  it('reads every filter, the order and the page', () => {
    const result = parseNodesQuery({
      group: 'general',
      zone: '-',
      capacityType: 'spot',
      state: 'attention',
      name: ' ip-10 ',
      sort: 'cpu-used',
      page: '3',
      limit: '50',
    });
    expect(result).toEqual({
      ok: true,
      value: { filters: { group: 'general', zone: '-', capacityType: 'spot', state: 'attention', name: 'ip-10' }, sort: 'cpu-used', page: 3, limit: 50 },
    });
  });

  it.each([
    [{ state: 'sleeping' }, /^state must be one of ready, not-ready, cordoned, draining, deleting, attention/],
    [{ sort: 'random' }, /^sort must be one of attention, name/],
    [{ capacityType: 'reserved' }, /^capacityType must be on-demand, spot or unknown/],
    [{ limit: '0' }, /^limit must be a whole number from 1 to 200/],
    [{ limit: '201' }, /^limit must be a whole number from 1 to 200/],
    [{ page: '0' }, /^page must be a whole number from 1/],
    [{ name: 'a\tb' }, /^name must be printable ASCII/],
    [{ group: 'x'.repeat(254) }, /^group must be at most 253 characters/],
  ])('refuses %p with a 400 that names the parameter and says what to do', (query, message) => {
    const result = parseNodesQuery(query);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('SCALING.INVALID_QUERY');
    expect(result.error.message).toMatch(message);
    expect(result.error.fix).toBeTruthy();
  });

  it('writes a query back as the shortest query string that means the same', () => {
    const parsed = parseNodesQuery({ zone: 'eu-west-1a', state: 'ready', sort: 'attention', page: '2' });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(nodesQueryString(parsed.value)).toBe('zone=eu-west-1a&state=ready&page=2');
    expect(nodesQueryString(parsed.value, { page: 1, sort: 'name' })).toBe('zone=eu-west-1a&state=ready&sort=name');
    const again = parseNodesQuery(Object.fromEntries(new URLSearchParams(nodesQueryString(parsed.value))));
    expect(again).toEqual(parsed);
    expect(isDefaultNodesQuery(parsed.value)).toBe(false);
    const defaults = parseNodesQuery({ sort: 'attention', page: '1', limit: '24' });
    expect(defaults.ok && isDefaultNodesQuery(defaults.value)).toBe(true);
  });
});

describe('parseSnapshotQuery', () => {
  it('takes how many nodes to list by name, from 0 to 5000', () => {
    expect(parseSnapshotQuery({})).toEqual({ ok: true, value: {} });
    expect(parseSnapshotQuery({ nodes: '0' })).toEqual({ ok: true, value: { nodes: 0 } });
    const bad = parseSnapshotQuery({ nodes: '5001' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/^nodes must be a whole number from 0 to 5000/);
  });
});
