import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { DATASET_IDS, type DemoDatasetId, payloadSchema } from './payloads.ts';
import { createPopulation, DEMO_SEED } from './population.ts';

// ajv-formats is CommonJS: its default import is the plugin function itself at run time.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);

const population = createPopulation({ seed: DEMO_SEED, size: 50_000 });
// A few hundred consecutive citizens (whole households) plus a spread across the population.
const SAMPLE = [
  ...Array.from({ length: 400 }, (_, i) => i),
  ...Array.from({ length: 200 }, (_, i) => 400 + i * 247),
];

describe('agency records conform to the payload schemas', () => {
  for (const datasetId of Object.values(DATASET_IDS) as DemoDatasetId[]) {
    it(datasetId, () => {
      const validate = ajv.compile(payloadSchema(datasetId));
      let present = 0;
      for (const i of SAMPLE) {
        const c = population.citizen(i);
        const record = population.record(datasetId, c.nationalId);
        if (record === undefined) continue;
        present++;
        const ok = validate(record);
        expect(ok ? [] : validate.errors, `${datasetId} for #${i}: ${JSON.stringify(record)}`).toEqual([]);
        expect(record).toMatchObject({ nationalId: c.nationalId, name: c.name });
      }
      // Every dataset has holders in the sample, so every schema is really exercised.
      expect(present).toBeGreaterThan(5);
    });
  }

  it('rejects a record with an extra field', () => {
    const validate = ajv.compile(payloadSchema(DATASET_IDS.passport));
    const holder = SAMPLE.map((i) => population.citizen(i)).find((c) => c.facts.passport);
    const record = population.record(DATASET_IDS.passport, holder?.nationalId ?? '');
    expect(validate({ ...record, secret: 1 })).toBe(false);
  });
});
