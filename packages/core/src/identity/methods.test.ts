import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  methodAssurance,
  SIGN_IN_METHODS,
  sessionAssurance,
  sessionExpiry,
  signInDecision,
  stepUpCandidates,
} from './methods.ts';
import { pairwiseSubject } from './pairwise.ts';

describe('Sign-in rules', () => {
  it('give each method the assurance of the issue', () => {
    expect(methodAssurance('citizen-certificate')).toBe('high');
    expect(methodAssurance('nhi-card')).toBe('substantial');
    expect(methodAssurance('two-documents')).toBe('low');
  });

  it('take the strongest method as the session assurance, never a sum of weak ones', () => {
    expect(sessionAssurance(['two-documents', 'mobile-number'])).toBe('low');
    expect(sessionAssurance(['two-documents', 'citizen-certificate'])).toBe('high');
  });

  it('ask a first-time citizen for a second, different method', () => {
    const available = [...SIGN_IN_METHODS];
    const one = signInDecision({ isFirstUse: true, verified: ['nhi-card'], available });
    expect(one).toEqual({
      kind: 'second-method-required',
      candidates: available.filter((m) => m !== 'nhi-card'),
    });
    expect(signInDecision({ isFirstUse: true, verified: ['nhi-card', 'nhi-card'], available }).kind).toBe(
      'second-method-required',
    );
    expect(signInDecision({ isFirstUse: true, verified: ['nhi-card', 'two-documents'], available })).toEqual({
      kind: 'complete',
      assurance: 'substantial',
    });
    expect(signInDecision({ isFirstUse: false, verified: ['two-documents'], available })).toEqual({
      kind: 'complete',
      assurance: 'low',
    });
    expect(() => signInDecision({ isFirstUse: false, verified: [], available })).toThrow(RangeError);
  });

  it('offer step-up only with methods strong enough', () => {
    const available = ['citizen-certificate', 'nhi-card', 'two-documents'] as const;
    expect(stepUpCandidates({ current: 'low', required: 'substantial', available })).toEqual([
      'citizen-certificate',
      'nhi-card',
    ]);
    expect(stepUpCandidates({ current: 'low', required: 'high', available })).toEqual([
      'citizen-certificate',
    ]);
    expect(stepUpCandidates({ current: 'high', required: 'substantial', available })).toEqual([]);
  });

  it('expire sessions when idle or too old', () => {
    const t = { idleSeconds: 60, absoluteSeconds: 600 };
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const at = (s: number) => new Date(createdAt.getTime() + s * 1000);
    expect(sessionExpiry({ createdAt, lastSeenAt: createdAt }, at(59), t)).toBeUndefined();
    expect(sessionExpiry({ createdAt, lastSeenAt: createdAt }, at(60), t)).toBe('idle');
    expect(sessionExpiry({ createdAt, lastSeenAt: at(590) }, at(600), t)).toBe('absolute');
  });

  it('derive pairwise subjects that differ per sector and per citizen', () => {
    const key = randomBytes(32);
    const a = pairwiseSubject(key, 'ref1', 'bank.example');
    expect(pairwiseSubject(key, 'ref1', 'bank.example')).toBe(a);
    expect(pairwiseSubject(key, 'ref1', 'county.example')).not.toBe(a);
    expect(pairwiseSubject(key, 'ref2', 'bank.example')).not.toBe(a);
    expect(pairwiseSubject(randomBytes(32), 'ref1', 'bank.example')).not.toBe(a);
    expect(pairwiseSubject(key, 'ab', 'c')).not.toBe(pairwiseSubject(key, 'a', 'bc'));
  });
});
