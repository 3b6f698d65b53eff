import { DomainException } from '@eks-info/platform';
import { assertFileName, assertSafeName, assertTextSize, unsafeNameReason } from './names';

/** Names and keys an attacker (or a confused client) might send, with the reason each is refused. */
export const UNSAFE_NAMES: Array<[unknown, RegExp]> = [
  ['../etc/passwd', /\.\. path segment/],
  ['a/../../b', /\.\. path segment/],
  ['./a', /\. or \.\. path segment/],
  ['eks-info/uploads/..', /\.\. path segment/],
  ['/etc/passwd', /absolute path/],
  ['C:\\Windows\\win.ini', /backslash|absolute/],
  ['C:/Windows/win.ini', /absolute path/],
  ['..\\..\\x', /backslash/],
  ['a\u0000b', /NUL/],
  ['name\n', /control character/],
  ['%2e%2e%2fetc', /percent-encoded/],
  ['..%2f..%2fetc', /percent-encoded/],
  ['%252e%252e%252f', /percent-encoded/],
  ['a%00b', /percent-encoded/],
  ['..%c0%afetc', /percent-encoded/],
  ['\uff0e\uff0e\uff0fetc', /printable ASCII/],
  ['a\u2215b', /printable ASCII/],
  ['caf\u00e9', /printable ASCII/],
  ['a//b', /empty path segment/],
  ['x'.repeat(201), /longer than 200/],
  ['', /empty/],
  [42, /string/],
  [null, /string/],
  [{ toString: () => '../x' }, /string/],
];

describe('user-supplied names and keys', () => {
  it.each(UNSAFE_NAMES)('refuses %j', (value, reason) => {
    expect(unsafeNameReason(value)).toMatch(reason);
    expect(() => assertSafeName(value, 'key')).toThrow(DomainException);
  });

  it('refuses with STORAGE.INVALID (400) and names what was wrong', () => {
    const err = (() => {
      try {
        assertSafeName('../x', 'file name');
      } catch (e) {
        return e as DomainException;
      }
    })();
    expect(err?.body.code).toBe('STORAGE.INVALID');
    expect(err?.body.message).toBe('The file name contains a . or .. path segment.');
    expect(err?.definition.status).toBe(400);
  });

  it.each([
    'eks-info/uploads/upload_20251113_103045_abcdef.txt',
    'shared_data_20251113_103045_123_abcdefghij.json',
    'a.b-c_d',
    'x'.repeat(200),
    'dir/file..txt',
  ])('accepts %s', (value) => {
    expect(unsafeNameReason(value)).toBeNull();
    expect(assertSafeName(value, 'key')).toBe(value);
  });

  it('takes a file name without a directory part only', () => {
    expect(assertFileName('photo.png', 'file name')).toBe('photo.png');
    expect(() => assertFileName('dir/photo.png', 'file name')).toThrow('must be a file name, not a path');
  });
});

describe('text a user writes', () => {
  it('accepts text up to the limit in UTF-8 bytes, not characters, and answers 413 above it', () => {
    expect(assertTextSize('héllo', 6)).toBe('héllo');
    let refusal: DomainException | undefined;
    try {
      assertTextSize('héllo', 5);
    } catch (e) {
      refusal = e as DomainException;
    }
    expect(refusal?.body).toMatchObject({ code: 'STORAGE.TOO_LARGE', message: expect.stringMatching(/6 bytes; at most 5/) });
    expect(refusal?.definition.status).toBe(413);
  });
});
