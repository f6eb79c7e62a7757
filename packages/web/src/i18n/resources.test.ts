import {
  ASSURANCE_LEVELS,
  ERROR_CATALOGUE,
  FIELD_TYPES,
  SECTORS,
  SENSITIVITIES,
  TOPICS,
  USAGE_EVENT_TYPES,
} from '@mydata/core';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { ERROR_TEXTS } from './errors.ts';
import { zhTW } from './zh-TW.ts';

/** Every text of a resource tree as `path → text`. */
function flatten(tree: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(path, v);
    else for (const [p, t] of flatten(v as object, path)) out.set(p, t);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('The portal texts', () => {
  const zh = flatten(zhTW);
  const english = flatten(en);

  it('have every key in both languages, none empty', () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort());
    for (const [key, text] of [...zh, ...english]) expect(text.trim(), key).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of zh)
      expect(placeholders(english.get(key) ?? ''), key).toEqual(placeholders(text));
  });

  it('name every topic, assurance level, sensitivity, sector and field type of the catalogue', () => {
    expect(Object.keys(zhTW.topics).sort()).toEqual([...TOPICS].sort());
    expect(Object.keys(zhTW.assurance).sort()).toEqual([...ASSURANCE_LEVELS].sort());
    expect(Object.keys(zhTW.sensitivity).sort()).toEqual([...SENSITIVITIES].sort());
    expect(Object.keys(zhTW.statistics.sectors).sort()).toEqual([...SECTORS].sort());
    expect(Object.keys(zhTW.dataset.types).sort()).toEqual([...FIELD_TYPES].sort());
  });

  it('name and explain every usage-log event type', () => {
    expect(Object.keys(zhTW.events).sort()).toEqual([...USAGE_EVENT_TYPES].sort());
  });

  it('tell a person what happened and what to do for every error code, in both languages', () => {
    const codes = Object.keys(ERROR_CATALOGUE).sort();
    for (const lang of ['zh-TW', 'en'] as const) {
      expect(Object.keys(ERROR_TEXTS[lang]).sort(), lang).toEqual(codes);
      for (const [code, { title, action }] of Object.entries(ERROR_TEXTS[lang])) {
        expect(title.trim(), `${lang} ${code}`).not.toBe('');
        expect(action.trim(), `${lang} ${code}`).not.toBe('');
      }
    }
  });
});
