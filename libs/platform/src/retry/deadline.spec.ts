import { withDeadline } from './deadline';

describe('withDeadline', () => {
  it('returns the work when it finishes first and never calls onDeadline', async () => {
    const onDeadline = jest.fn(() => 'late');
    await expect(withDeadline(Promise.resolve('done'), 1_000, onDeadline)).resolves.toBe('done');
    expect(onDeadline).not.toHaveBeenCalled();
  });

  it('returns onDeadline() once the time is up, and the work still completes on its own', async () => {
    let finish!: (v: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    await expect(withDeadline(work, 20, () => 'late')).resolves.toBe('late');
    finish('done');
    await expect(work).resolves.toBe('done');
  });

  it('passes a rejection of the work through', async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 1_000, () => 'late')).rejects.toThrow('boom');
  });
});
