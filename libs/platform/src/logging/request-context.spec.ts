import { sanitizeRequestId } from './request-context';

describe('sanitizeRequestId', () => {
  it("keeps a caller's short, plain id", () => {
    expect(sanitizeRequestId('req_test-42.a:b')).toBe('req_test-42.a:b');
  });

  it('replaces a missing, long or hostile id with a new one, unique each time', () => {
    const ids = [undefined, '', 'x'.repeat(129), 'a b', 'id\r\nset-cookie: x', ['req_1'], 'ünïcode'].map(sanitizeRequestId);
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{12}[0-9a-z]{8}$/);
    expect(new Set([...ids, ...Array.from({ length: 1000 }, () => sanitizeRequestId(undefined))]).size).toBe(ids.length + 1000);
  });
});
