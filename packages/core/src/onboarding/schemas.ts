/**
 * Onboarding and operator console: what organisations send to join the platform and what the
 * operator's reviewers see and decide. Requests are validated with these schemas at the HTTP edge;
 * deeper checks (datasets exist, keys fetchable, justifications present) answer `onboarding.*` codes.
 */
import { type Static, Type } from 'typebox';
import {
  Dataset,
  DatasetId,
  OrganisationId,
  Purpose,
  Sector,
  ServiceId,
  ServiceMode,
} from '../catalogue/schemas.ts';
import { LocalizedText } from '../i18n.ts';

/** The organisation id no sign-up may take: the platform operator's own reviewers belong to it. */
export const PLATFORM_OPERATOR_ID = 'platform-operator';

/** Roles a person can hold in an organisation that signed up (operator is only in `platform-operator`). */
export const ORGANISATION_STAFF_ROLES = ['admin', 'developer', 'counter-clerk'] as const;
export const OrganisationStaffRole = Type.Enum(ORGANISATION_STAFF_ROLES, {
  description:
    'admin: manages staff and applications; developer: manages keys and applications; counter-clerk: verifies citizens at a desk',
});
export type OrganisationStaffRole = (typeof ORGANISATION_STAFF_ROLES)[number];

export const MyRole = Type.Enum([...ORGANISATION_STAFF_ROLES, 'operator'] as const);
export type MyRole = Static<typeof MyRole>;

export const SecurityContact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()-]{6,30}$', maxLength: 30 })),
  },
  { additionalProperties: false, description: 'Who the platform calls about a security incident' },
);
export type SecurityContact = Static<typeof SecurityContact>;

export const OrganisationSignUp = Type.Object(
  {
    id: OrganisationId,
    name: LocalizedText,
    sector: Sector,
    website: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
    securityContact: SecurityContact,
  },
  { additionalProperties: false },
);
export type OrganisationSignUp = Static<typeof OrganisationSignUp>;

export const SuspensionState = Type.Union([
  Type.Object(
    { since: Type.String({ format: 'date-time' }), reason: Type.String() },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export type SuspensionState = Static<typeof SuspensionState>;

export const OnboardingOrganisation = Type.Object(
  {
    id: OrganisationId,
    name: LocalizedText,
    sector: Sector,
    website: Type.Optional(Type.String()),
    securityContact: Type.Optional(SecurityContact),
    listed: Type.Boolean({ description: 'false until an application of it is approved' }),
    suspended: SuspensionState,
  },
  { additionalProperties: false },
);
export type OnboardingOrganisation = Static<typeof OnboardingOrganisation>;

export const OnboardingMe = Type.Object(
  {
    organisations: Type.Array(
      Type.Object(
        {
          id: OrganisationId,
          name: LocalizedText,
          sector: Sector,
          listed: Type.Boolean(),
          suspended: SuspensionState,
          myRoles: Type.Array(OrganisationStaffRole),
        },
        { additionalProperties: false },
      ),
    ),
    operator: Type.Boolean({ description: 'Whether the signed-in person is a platform operator reviewer' }),
  },
  { additionalProperties: false },
);
export type OnboardingMe = Static<typeof OnboardingMe>;

export const StaffAddRequest = Type.Object(
  {
    nationalId: Type.String({ minLength: 10, maxLength: 10 }),
    role: OrganisationStaffRole,
    label: Type.String({ minLength: 1, maxLength: 100, description: 'How colleagues know the person' }),
  },
  { additionalProperties: false },
);
export type StaffAddRequest = Static<typeof StaffAddRequest>;

export const StaffEntry = Type.Object(
  {
    citizenRef: Type.String({
      description: 'Opaque reference to remove the person by; never the national ID',
    }),
    label: Type.String(),
    nationalIdHint: Type.String({ description: 'Masked national ID, e.g. A1******89' }),
    role: OrganisationStaffRole,
    addedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type StaffEntry = Static<typeof StaffEntry>;

const Url = Type.String({ format: 'uri', maxLength: 2000 });

export const PublicJwkShape = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A public JSON Web Key (EC P-256); private members are refused',
});
export const JwksShape = Type.Object(
  { keys: Type.Array(PublicJwkShape, { minItems: 1, maxItems: 10 }) },
  { description: 'A JSON Web Key Set with one `sig` and one `enc` P-256 key at least' },
);
export type JwksShape = Static<typeof JwksShape>;

export const FieldJustification = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$', maxLength: 64 }),
    justification: LocalizedText,
  },
  { additionalProperties: false },
);
export type FieldJustification = Static<typeof FieldJustification>;

export const RequestedDataset = Type.Object(
  {
    datasetId: DatasetId,
    required: Type.Boolean(),
    justification: LocalizedText,
    fields: Type.Array(FieldJustification, {
      maxItems: 200,
      description: 'Why each field is needed; a field without one means the whole dataset is asked for',
    }),
  },
  { additionalProperties: false },
);
export type RequestedDataset = Static<typeof RequestedDataset>;

export const ServiceProposal = Type.Object(
  {
    id: ServiceId,
    name: LocalizedText,
    description: LocalizedText,
    mode: ServiceMode,
    purpose: Purpose,
    retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    datasets: Type.Array(RequestedDataset, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type ServiceProposal = Static<typeof ServiceProposal>;

export const ServiceApplicationBody = Type.Object(
  {
    kind: Type.Literal('service'),
    service: ServiceProposal,
    redirectUris: Type.Optional(Type.Array(Url, { maxItems: 10 })),
    jwksUrl: Type.Optional(Url),
    jwks: Type.Optional(JwksShape),
    webhookUrl: Type.Optional(Url),
    securityContact: SecurityContact,
  },
  {
    additionalProperties: false,
    description: 'An online service needs redirectUris and keys (jwksUrl or jwks); a counter service neither',
  },
);
export type ServiceApplicationBody = Static<typeof ServiceApplicationBody>;

export const ProviderEndpoint = Type.Object(
  {
    baseUrl: Type.String({
      pattern: '^https://[^/?#\\s]+$',
      maxLength: 300,
      description: 'https://host:port of the agency endpoint, no path',
    }),
    tlsSpkiSha256: Type.Array(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' }), {
      minItems: 1,
      maxItems: 4,
      description: 'SHA-256 pins of the endpoint certificate public keys (base64)',
    }),
  },
  { additionalProperties: false },
);
export type ProviderEndpoint = Static<typeof ProviderEndpoint>;

export const DataProviderApplicationBody = Type.Object(
  {
    kind: Type.Literal('data-provider'),
    datasets: Type.Array(Dataset, { minItems: 1, maxItems: 50 }),
    endpoint: ProviderEndpoint,
    jwksUrl: Type.Optional(Url),
    jwks: Type.Optional(JwksShape),
    securityContact: SecurityContact,
  },
  { additionalProperties: false },
);
export type DataProviderApplicationBody = Static<typeof DataProviderApplicationBody>;

export const ApplicationBody = Type.Union([ServiceApplicationBody, DataProviderApplicationBody]);
export type ApplicationBody = Static<typeof ApplicationBody>;

export const APPLICATION_STATUSES = ['submitted', 'approved', 'changes-requested', 'rejected'] as const;
export const ApplicationStatus = Type.Enum(APPLICATION_STATUSES);
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const FLAG_SEVERITIES = ['warning', 'notice'] as const;
export const ReviewFlag = Type.Object(
  {
    code: Type.String({ description: 'e.g. "field-without-justification"' }),
    severity: Type.Enum(FLAG_SEVERITIES),
    pointer: Type.String({ description: 'JSON pointer into the application body the flag concerns' }),
    message: LocalizedText,
  },
  { additionalProperties: false },
);
export type ReviewFlag = Static<typeof ReviewFlag>;

export const SandboxCredentials = Type.Object(
  {
    serviceId: ServiceId,
    clientId: Type.String(),
    issuer: Type.String(),
    personasUrl: Type.String(),
  },
  { additionalProperties: false },
);
export type SandboxCredentials = Static<typeof SandboxCredentials>;

export const DECISIONS = ['approve', 'request-changes', 'reject'] as const;
export const DecisionRequest = Type.Object(
  {
    decision: Type.Enum(DECISIONS),
    reason: Type.String({ maxLength: 4000, description: 'Required for request-changes and reject' }),
  },
  { additionalProperties: false },
);
export type DecisionRequest = Static<typeof DecisionRequest>;

export const AUDIT_ACTIONS = [
  'submit',
  'resubmit',
  'approve',
  'request-changes',
  'reject',
  'suspend',
  'reinstate',
] as const;
export const AuditAction = Type.Enum(AUDIT_ACTIONS);
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const DecisionEntry = Type.Object(
  {
    seq: Type.Integer(),
    organisationId: OrganisationId,
    applicationId: Type.Union([Type.String(), Type.Null()]),
    action: AuditAction,
    reason: Type.String(),
    actorLabel: Type.String({ description: "The operator's (or applicant's) staff label" }),
    at: Type.String({ format: 'date-time' }),
    hash: Type.String({ description: 'sha256(previous hash + canonical row), hex' }),
  },
  { additionalProperties: false },
);
export type DecisionEntry = Static<typeof DecisionEntry>;

export const ApplicationSummary = Type.Object(
  {
    id: Type.String(),
    organisationId: OrganisationId,
    organisationName: LocalizedText,
    kind: Type.Enum(['service', 'data-provider'] as const),
    subject: Type.String({ description: 'The service id, or the dataset ids joined by commas' }),
    status: ApplicationStatus,
    submittedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    flagCount: Type.Integer(),
  },
  { additionalProperties: false },
);
export type ApplicationSummary = Static<typeof ApplicationSummary>;

export const ApplicationDetail = Type.Object(
  {
    id: Type.String(),
    organisationId: OrganisationId,
    organisationName: LocalizedText,
    status: ApplicationStatus,
    submittedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    body: ApplicationBody,
    flags: Type.Array(ReviewFlag),
    decisions: Type.Array(DecisionEntry),
    sandbox: Type.Union([SandboxCredentials, Type.Null()]),
  },
  { additionalProperties: false },
);
export type ApplicationDetail = Static<typeof ApplicationDetail>;

export const ApplicationCreated = Type.Object(
  {
    id: Type.String(),
    status: ApplicationStatus,
    flags: Type.Array(ReviewFlag),
    sandbox: Type.Union([SandboxCredentials, Type.Null()]),
  },
  { additionalProperties: false },
);
export type ApplicationCreated = Static<typeof ApplicationCreated>;

export const ClientKey = Type.Object(
  {
    kid: Type.String(),
    use: Type.String(),
    thumbprint: Type.String({ description: 'RFC 7638 SHA-256 thumbprint, base64url' }),
  },
  { additionalProperties: false },
);
export type ClientKey = Static<typeof ClientKey>;

export const ClientView = Type.Object(
  {
    clientId: Type.String(),
    environment: Type.Enum(['sandbox', 'production'] as const),
    redirectUris: Type.Array(Type.String()),
    webhookUrl: Type.Union([Type.String(), Type.Null()]),
    jwksUrl: Type.Union([Type.String(), Type.Null()]),
    keys: Type.Array(ClientKey),
  },
  { additionalProperties: false },
);
export type ClientView = Static<typeof ClientView>;

export const OrganisationDetail = Type.Object(
  {
    organisation: OnboardingOrganisation,
    staff: Type.Array(StaffEntry),
    applications: Type.Array(ApplicationSummary),
    clients: Type.Array(ClientView),
  },
  { additionalProperties: false },
);
export type OrganisationDetail = Static<typeof OrganisationDetail>;

export const KeysRefreshRequest = Type.Object(
  { clientId: Type.String({ maxLength: 100 }) },
  {
    additionalProperties: false,
  },
);
export type KeysRefreshRequest = Static<typeof KeysRefreshRequest>;

export const ReasonRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);
export type ReasonRequest = Static<typeof ReasonRequest>;

export const OperatorApplicationsQuery = Type.Object(
  { status: Type.Optional(ApplicationStatus) },
  { additionalProperties: false },
);
export type OperatorApplicationsQuery = Static<typeof OperatorApplicationsQuery>;

export const OperatorApplications = Type.Object(
  { applications: Type.Array(ApplicationSummary) },
  { additionalProperties: false },
);
export type OperatorApplications = Static<typeof OperatorApplications>;

export const OperatorOrganisations = Type.Object(
  {
    organisations: Type.Array(
      Type.Object(
        {
          id: OrganisationId,
          name: LocalizedText,
          sector: Sector,
          listed: Type.Boolean(),
          suspended: SuspensionState,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type OperatorOrganisations = Static<typeof OperatorOrganisations>;

export const AuditTrail = Type.Object(
  {
    entries: Type.Array(DecisionEntry, { description: 'Newest first' }),
    chain: Type.Object(
      {
        valid: Type.Boolean(),
        checked: Type.Integer({ description: 'How many rows were verified' }),
        brokenAt: Type.Optional(
          Type.Integer({ description: 'seq of the first row whose hash does not match' }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type AuditTrail = Static<typeof AuditTrail>;

export const SandboxPersona = Type.Object(
  {
    nationalId: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    description: LocalizedText,
  },
  { additionalProperties: false },
);
export type SandboxPersona = Static<typeof SandboxPersona>;

export const SandboxPersonas = Type.Object(
  { personas: Type.Array(SandboxPersona) },
  { additionalProperties: false },
);
export type SandboxPersonas = Static<typeof SandboxPersonas>;

/** The id of the sandbox twin of a service: never listed, only sandbox personas may consent to it. */
export const sandboxServiceId = (serviceId: string) => `${serviceId}-sandbox`;

/** A connection test of a data-provider application: one dataset, one test persona. */
export const TestCallRequest = Type.Object(
  {
    datasetId: Type.String({ minLength: 1, maxLength: 200 }),
    nationalId: Type.String({
      minLength: 1,
      maxLength: 20,
      description: 'A published test persona (GET /api/v1/sandbox/personas)',
    }),
  },
  { additionalProperties: false },
);
export type TestCallRequest = Static<typeof TestCallRequest>;

export const TestCallResult = Type.Object(
  {
    ok: Type.Boolean(),
    latencyMs: Type.Integer({ minimum: 0 }),
    datasetId: Type.String(),
    nationalIdHint: Type.String({ description: 'Masked national ID, e.g. A1******89' }),
    payload: Type.Optional(Type.Unknown({ description: 'The verified record (ok only)' })),
    problem: Type.Optional(
      Type.Object(
        {
          code: Type.String({ description: 'The exchange error code a real fetch would give' }),
          title: Type.String(),
          detail: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TestCallResult = Static<typeof TestCallResult>;
