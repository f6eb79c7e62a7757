import { describe, expect, it } from 'vitest';
import { meetsAssurance, strongestAssurance } from './assurance.ts';

describe('Assurance levels', () => {
  it('orders low < substantial < high', () => {
    expect(meetsAssurance('high', 'substantial')).toBe(true);
    expect(meetsAssurance('substantial', 'substantial')).toBe(true);
    expect(meetsAssurance('low', 'substantial')).toBe(false);
  });
  it('takes the strongest of several requirements', () => {
    expect(strongestAssurance(['low', 'high', 'substantial'])).toBe('high');
    expect(strongestAssurance([])).toBe('low');
  });
});
