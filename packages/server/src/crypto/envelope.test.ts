import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnvelope, type KeyRing } from './envelope.ts';
import { loadPlatformKeys, parseKeyRing, rotateAtRestKey } from './keys.ts';

describe('Envelope encryption at rest', () => {
  const ring: KeyRing = { current: 'k1', keys: { k1: randomBytes(32) } };
  const envelope = createEnvelope(ring);

  it('round-trips any bytes and text, and never shows the plaintext', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.string(), (bytes, context) => {
        const sealed = envelope.seal(bytes, context);
        expect(envelope.open(sealed, context).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 200 },
    );
    const sealed = envelope.seal('A123456789 王小明', 'row-1');
    expect(sealed).not.toContain('A123456789');
    expect(envelope.openText(sealed, 'row-1')).toBe('A123456789 王小明');
    expect(envelope.seal('same', 'row-1')).not.toBe(envelope.seal('same', 'row-1'));
  });

  it('refuses a value moved to another context, edited, or sealed under an unknown key', () => {
    const sealed = envelope.seal('secret', 'row-1');
    expect(() => envelope.open(sealed, 'row-2')).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[14] = (body[14] ?? 0) ^ 1;
    expect(() =>
      envelope.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'row-1'),
    ).toThrow();
    const other = createEnvelope({ current: 'k9', keys: { k9: randomBytes(32) } });
    expect(() => other.open(sealed, 'row-1')).toThrow(/no key "k1"/);
  });

  it('rotates: old values open with their old key id, new ones use the new key', () => {
    const before = envelope.seal('old entry', 'ctx');
    const rotated = createEnvelope({ current: 'k2', keys: { ...ring.keys, k2: randomBytes(32) } });
    const after = rotated.seal('new entry', 'ctx');
    expect(rotated.keyIdOf(before)).toBe('k1');
    expect(rotated.keyIdOf(after)).toBe('k2');
    expect(rotated.openText(before, 'ctx')).toBe('old entry');
    expect(rotated.openText(after, 'ctx')).toBe('new entry');
    expect(() => envelope.open(after, 'ctx')).toThrow();
  });

  it('re-wraps an old value under the current key, so the old key can be retired', () => {
    const before = envelope.seal('kept for years', 'ctx');
    const k2 = randomBytes(32);
    const rotated = createEnvelope({ current: 'k2', keys: { ...ring.keys, k2 } });
    const rewrapped = rotated.rewrap(before, 'ctx');
    expect(rotated.keyIdOf(rewrapped)).toBe('k2');
    expect(rewrapped.split('.')[3]).toBe(before.split('.')[3]);
    expect(rotated.rewrap(rewrapped, 'ctx')).toBe(rewrapped);
    const retired = createEnvelope({ current: 'k2', keys: { k2 } });
    expect(retired.openText(rewrapped, 'ctx')).toBe('kept for years');
    expect(() => retired.open(before, 'ctx')).toThrow(/no key "k1"/);
    expect(() => rotated.rewrap(before, 'other')).toThrow();
  });

  it('refuses malformed key rings', () => {
    expect(() => parseKeyRing('{"current":"a","keys":{"a":"c2hvcnQ="}}')).toThrow(/32 bytes/);
    expect(() =>
      parseKeyRing(`{"current":"b","keys":{"a":"${randomBytes(32).toString('base64')}"}}`),
    ).toThrow(/not in the ring/);
    expect(() => parseKeyRing('[]')).toThrow();
  });
});

describe('The key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mydata-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once with mode 0600, then read back unchanged', () => {
    const file = join(dir, 'keys', 'platform-keys.json');
    const first = loadPlatformKeys({ file, createIfMissing: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadPlatformKeys({ file, createIfMissing: true });
    expect(again.atRest.current).toBe(first.atRest.current);
    expect(again.citizenRefKey.equals(first.citizenRefKey)).toBe(true);
    expect(again.logSigning.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      first.logSigning.publicKey.export({ format: 'der', type: 'spki' }),
    );
  });

  it('is required when its path was configured explicitly', () => {
    expect(() => loadPlatformKeys({ file: join(dir, 'missing.json'), createIfMissing: false })).toThrow(
      /does not exist/,
    );
  });

  it('rotates its at-rest key without losing the old one', () => {
    const file = join(dir, 'keys', 'platform-keys.json');
    const before = loadPlatformKeys({ file, createIfMissing: false });
    const sealed = createEnvelope(before.atRest).seal('kept', 'x');
    const id = rotateAtRestKey(file);
    const after = loadPlatformKeys({ file, createIfMissing: false });
    expect(after.atRest.current).toBe(id);
    expect(createEnvelope(after.atRest).openText(sealed, 'x')).toBe('kept');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('takes the at-rest key ring from configuration when given', () => {
    const file = join(dir, 'keys', 'platform-keys.json');
    const ring = `{"current":"ext","keys":{"ext":"${randomBytes(32).toString('base64')}"}}`;
    expect(loadPlatformKeys({ file, createIfMissing: false, atRestKeyRing: ring }).atRest.current).toBe(
      'ext',
    );
  });
});
