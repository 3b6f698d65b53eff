import { ACCESS_BATCH_MAX, type AccessRecord, type EventContract } from '@eks-info/contracts';
import type { MessageBus } from '@eks-info/platform';
import { AccessBatcher } from './access-events';

const record = (i: number): AccessRecord => ({
  timestamp: new Date(0).toISOString(),
  pod_name: 'gw',
  node_name: 'n',
  client_ip: '127.0.0.1',
  request_path: `/p${i}`,
  request_method: 'GET',
  user_agent: 'test',
  response_status: 200,
  response_time_ms: 1,
});

describe('AccessBatcher', () => {
  const sent: Array<{ subject: string; count: number }> = [];
  const bus = {
    emit: (c: EventContract<{ records: AccessRecord[] }>, d: { records: AccessRecord[] }) => sent.push({ subject: c.subject, count: d.records.length }),
  };
  beforeEach(() => {
    sent.length = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('sends a full batch at once, the rest after 100 ms, and nothing twice', () => {
    const batcher = new AccessBatcher(bus as unknown as MessageBus);
    for (let i = 0; i < ACCESS_BATCH_MAX + 20; i++) batcher.add(record(i));
    expect(sent).toEqual([{ subject: 'access.batch', count: ACCESS_BATCH_MAX }]);
    jest.advanceTimersByTime(99);
    expect(sent).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([
      { subject: 'access.batch', count: ACCESS_BATCH_MAX },
      { subject: 'access.batch', count: 20 },
    ]);
    batcher.flush();
    expect(sent).toHaveLength(2);
  });

  it('flushes on demand (shutdown) without waiting for the timer', () => {
    const batcher = new AccessBatcher(bus as unknown as MessageBus);
    batcher.add(record(1));
    batcher.flush();
    expect(sent).toEqual([{ subject: 'access.batch', count: 1 }]);
    jest.advanceTimersByTime(200);
    expect(sent).toHaveLength(1);
  });
});
