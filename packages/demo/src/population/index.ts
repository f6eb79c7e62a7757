export { REFERENCE_DATE } from './dates.ts';
export type { EconomicStatus, Gender, HouseholdKind, Relationship } from './household.ts';
export type { Disability, Employment, Job, Licence, LifeFacts, Passport, Trip, Vehicle } from './life.ts';
export * from './payloads.ts';
export { findTestPersonas, PERSONA_KINDS, type PersonaKind, type TestPersona } from './personas.ts';
export {
  type Citizen,
  createPopulation,
  DEMO_SEED,
  type Household,
  MAX_POPULATION_SIZE,
  type Population,
  type PopulationOptions,
} from './population.ts';
