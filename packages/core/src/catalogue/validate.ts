import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { FieldIssue } from '../errors.ts';
import { Catalogue, type Dataset, type Service } from './schemas.ts';

/** Structural problems of a value against a schema, as JSON-Pointer-located issues. */
export function schemaIssues(schema: TSchema, value: unknown, base = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const e of Value.Errors(schema, value)) {
    // `additionalProperties: false` reports each extra key twice; keep the one that names it.
    if (e.keyword === 'boolean') continue;
    const extra = (e.params as { additionalProperties?: string[] }).additionalProperties;
    const message = extra ? `unknown field(s): ${extra.join(', ')}` : e.message;
    issues.push({ pointer: `${base}${e.instancePath}`, message });
  }
  return issues;
}

function payloadFieldIssues(dataset: Dataset, at: string): FieldIssue[] {
  const schema = dataset.payloadSchema as { type?: unknown; properties?: Record<string, unknown> };
  if (schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null) {
    return [
      { pointer: `${at}/payloadSchema`, message: 'payloadSchema must describe an object with properties' },
    ];
  }
  const declared = new Set(dataset.fields.map((f) => f.name));
  const inSchema = new Set(Object.keys(schema.properties));
  const issues: FieldIssue[] = [];
  for (const name of declared) {
    if (!inSchema.has(name)) {
      issues.push({ pointer: `${at}/fields`, message: `field "${name}" is not in payloadSchema.properties` });
    }
  }
  for (const name of inSchema) {
    if (!declared.has(name)) {
      issues.push({
        pointer: `${at}/fields`,
        message: `payloadSchema property "${name}" has no entry in fields`,
      });
    }
  }
  return issues;
}

/**
 * Checks a catalogue: its shape, then the rules that tie its parts together (unique ids, every
 * reference resolves to an organisation in the right role, fields match payload schemas, every
 * service needs at least one dataset). Returns no issues when the catalogue can be published.
 */
export function validateCatalogue(catalogue: unknown): FieldIssue[] {
  const shape = schemaIssues(Catalogue, catalogue);
  if (shape.length > 0) return shape;
  const c = catalogue as Catalogue;
  const issues: FieldIssue[] = [];
  const orgs = new Map(c.organisations.map((o) => [o.id, o]));
  const datasetIds = new Set<string>();

  const seen = new Set<string>();
  const unique = (id: string, at: string) => {
    if (seen.has(id)) issues.push({ pointer: `${at}/id`, message: `id "${id}" is used more than once` });
    seen.add(id);
  };
  c.organisations.forEach((o, i) => {
    unique(o.id, `/organisations/${i}`);
  });

  c.datasets.forEach((d, i) => {
    const at = `/datasets/${i}`;
    unique(d.id, at);
    datasetIds.add(d.id);
    const agency = orgs.get(d.agencyId);
    if (!agency) issues.push({ pointer: `${at}/agencyId`, message: `no organisation "${d.agencyId}"` });
    else if (!agency.roles.includes('data-provider')) {
      issues.push({ pointer: `${at}/agencyId`, message: `"${d.agencyId}" is not a data provider` });
    }
    issues.push(...payloadFieldIssues(d, at));
  });

  c.services.forEach((s, i) => {
    const at = `/services/${i}`;
    unique(s.id, at);
    const provider = orgs.get(s.providerId);
    if (!provider) issues.push({ pointer: `${at}/providerId`, message: `no organisation "${s.providerId}"` });
    else if (!provider.roles.includes('service-provider')) {
      issues.push({ pointer: `${at}/providerId`, message: `"${s.providerId}" is not a service provider` });
    }
    const asked = new Set<string>();
    s.datasets.forEach((sd, j) => {
      if (!datasetIds.has(sd.datasetId)) {
        issues.push({ pointer: `${at}/datasets/${j}/datasetId`, message: `no dataset "${sd.datasetId}"` });
      }
      if (asked.has(sd.datasetId)) {
        issues.push({
          pointer: `${at}/datasets/${j}/datasetId`,
          message: `"${sd.datasetId}" is asked for twice`,
        });
      }
      asked.add(sd.datasetId);
    });
    if (!s.datasets.some((sd) => sd.required)) {
      issues.push({ pointer: `${at}/datasets`, message: 'a service must require at least one dataset' });
    }
    issues.push(...partyIssues(s, at));
  });
  return issues;
}

/** Rules of a multi-person service: one initiator, unique roles, every dataset given by exactly one party. */
export function partyIssues(service: Service, at = ''): FieldIssue[] {
  const parties = service.parties;
  if (!parties) return [];
  const issues: FieldIssue[] = [];
  const initiators = parties.filter((p) => p.initiator).length;
  if (initiators !== 1) {
    issues.push({
      pointer: `${at}/parties`,
      message: `exactly one party must be the initiator (found ${initiators})`,
    });
  }
  const roles = new Set<string>();
  const owner = new Map<string, string>();
  parties.forEach((p, i) => {
    if (roles.has(p.role))
      issues.push({ pointer: `${at}/parties/${i}/role`, message: `role "${p.role}" is used more than once` });
    roles.add(p.role);
    p.datasets.forEach((id, j) => {
      const other = owner.get(id);
      if (other !== undefined) {
        issues.push({
          pointer: `${at}/parties/${i}/datasets/${j}`,
          message: `"${id}" is already given by "${other}"`,
        });
      } else if (!service.datasets.some((d) => d.datasetId === id)) {
        issues.push({
          pointer: `${at}/parties/${i}/datasets/${j}`,
          message: `"${id}" is not a dataset of the service`,
        });
      }
      owner.set(id, p.role);
    });
  });
  for (const d of service.datasets) {
    if (!owner.has(d.datasetId)) {
      issues.push({ pointer: `${at}/parties`, message: `no party gives "${d.datasetId}"` });
    }
  }
  return issues;
}

/** The initiator of a multi-person service, or undefined for a service one person applies for. */
export function initiatorOf(service: Service) {
  return service.parties?.find((p) => p.initiator);
}

/** The service as its initiator consents to it: only the initiator's datasets (the whole service when single-person). */
export function initiatorView(service: Service): Service {
  const initiator = initiatorOf(service);
  if (!initiator) return service;
  const own = new Set(initiator.datasets);
  return { ...service, datasets: service.datasets.filter((d) => own.has(d.datasetId)) };
}
