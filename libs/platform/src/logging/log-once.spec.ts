import pino from 'pino';
import { LogOnce } from './log-once';

describe('LogOnce', () => {
  it('logs a kind once per interval and summarises what it suppressed', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    let now = 0;
    const once = new LogOnce(logger, 60_000, () => now);
    for (let i = 0; i < 100; i++) once.warn('nats.down', { i }, 'NATS is down');
    once.warn('aws.denied', {}, 'denied');
    expect(lines.map((l) => l.msg)).toEqual(['NATS is down', 'denied']);
    now = 60_001;
    once.warn('nats.down', {}, 'NATS is down');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ kind: 'nats.down', suppressed_since_last: 99 });
    once.clear('nats.down');
    expect(once.warn('nats.down', {}, 'again')).toBe(true);
  });
});
