import { DomainException } from '@eks-info/platform';
import { assertFileName, assertSafeName, assertText, boundedInt, unsafeNameReason } from './names';

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
  it('accepts text up to the limit in UTF-8 bytes, not characters', () => {
    expect(assertText('héllo', 6)).toBe('héllo');
    expect(() => assertText('héllo', 5)).toThrow(/6 bytes; at most 5/);
  });

  it('answers 413 above the limit and 400 for non-strings and blank text', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return `${(e as DomainException).body.code} ${(e as DomainException).definition.status}`;
      }
      return 'ok';
    };
    expect(code(() => assertText('x'.repeat(11), 10))).toBe('STORAGE.TOO_LARGE 413');
    expect(code(() => assertText(123, 10))).toBe('STORAGE.INVALID 400');
    expect(code(() => assertText(['a'], 10))).toBe('STORAGE.INVALID 400');
    expect(code(() => assertText('   ', 10))).toBe('STORAGE.INVALID 400');
  });
});

describe('bounded numbers from requests', () => {
  it('uses the default when absent and parses digit strings', () => {
    expect(boundedInt(undefined, 25, 1, 200, 'page size')).toBe(25);
    expect(boundedInt('50', 25, 1, 200, 'page size')).toBe(50);
  });

  it.each([0, 201, 1.5, '-1', '1e3', 'abc', {}])('refuses %j', (value) => {
    expect(() => boundedInt(value, 25, 1, 200, 'page size')).toThrow('page size must be a whole number from 1 to 200');
  });
});
