import { StorageErrors } from '../storage/storage.errors';
import { EfsWriteRequest } from '../storage/dto/efs.dto';
import { S3UploadRequest } from '../storage/dto/s3.dto';
import { depthExceeds, parseWith, wellFormed, wholeNumber, z } from './schema';

describe('message schemas', () => {
  it('replaces lone surrogates, which UTF-8 cannot hold, and keeps real pairs', () => {
    expect(wellFormed('a\ud800b')).toBe('a\ufffdb');
    expect(wellFormed('x\udc00')).toBe('x\ufffd');
    expect(wellFormed('emoji \ud83d\ude00')).toBe('emoji 😀');
    const parsed = parseWith(EfsWriteRequest, JSON.parse('{"content":"a\\ud800"}'), StorageErrors.INVALID);
    expect(parsed).toEqual({ ok: true, value: { content: 'a\ufffd' } });
    expect(Buffer.from(JSON.stringify(parsed.ok && parsed.value)).toString('utf8')).not.toContain('\\ud800');
  });

  it('measures nesting without walking a hostile body to its end', () => {
    expect(depthExceeds({ a: { b: [1, 2, { c: 3 }] } })).toBe(false);
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthExceeds(deep)).toBe(true);
    expect(parseWith(EfsWriteRequest, { content: deep }, StorageErrors.INVALID)).toMatchObject({ ok: false, error: { code: 'STORAGE.INVALID' } });
  });

  it('reads whole numbers from numbers and digit strings, and refuses the rest with the range', () => {
    const n = wholeNumber(1, 10);
    expect(n.parse(3)).toBe(3);
    expect(n.parse(' 7 ')).toBe(7);
    for (const bad of [0, 11, 2.5, '1e1', 'ten', true, null]) expect(n.safeParse(bad).success).toBe(false);
    expect(parseWith(z.object({ n }), { n: 11 }, StorageErrors.INVALID)).toMatchObject({
      ok: false,
      error: { message: 'n must be a whole number from 1 to 10 (got 11).', fields: [{ field: 'n' }] },
    });
  });

  it('accepts the old field name for one release, and the new one wins when both come', () => {
    expect(EfsWriteRequest.parse({ text: 'old' })).toEqual({ content: 'old' });
    expect(EfsWriteRequest.parse({ content: 'new', text: 'old' })).toEqual({ content: 'new' });
    expect(S3UploadRequest.parse({ text: 'hello' })).toEqual({ content: 'hello' });
  });

  it('refuses an S3 upload with both text and a file, or neither', () => {
    expect(S3UploadRequest.safeParse({ content: 'a', base64: 'YQ==' }).success).toBe(false);
    expect(S3UploadRequest.safeParse({}).success).toBe(false);
    expect(S3UploadRequest.safeParse({ base64: 'YQ==', filename: '../etc/passwd' }).success).toBe(false);
  });
});
