/**
 * Who works for which organisation, in which role. Staff sign in as citizens (any identity method);
 * a role here is what lets a signed-in person act for an organisation. The platform operator's
 * reviewers are staff of the reserved organisation `PLATFORM_OPERATOR_ID`.
 */
import { AppError, isValidNationalId, type OrganisationStaffRole } from '@mydata/core';
import type { Db } from '../db/database.ts';

export type StaffRole = OrganisationStaffRole | 'operator';

export interface StaffMember {
  organisationId: string;
  role: StaffRole;
  label: string;
  nationalIdHint: string;
  addedAt: Date;
}

/** "A123456789" → "A1******89": enough for colleagues to tell people apart, not enough to use. */
export const maskNationalId = (id: string) => `${id.slice(0, 2)}******${id.slice(-2)}`;

/** Staff membership over `staff_members`. */
export function createStaffRepo({
  db,
  citizenRef,
  now = () => new Date(),
}: {
  db: Db;
  /** The identity capability's keyed hash of a national ID. */
  citizenRef: (nationalId: string) => string;
  now?: () => Date;
}) {
  const toMember = (r: {
    organisation_id: string;
    role: string;
    label: string;
    national_id_hint: string;
    created_at: Date | string;
  }): StaffMember => ({
    organisationId: r.organisation_id,
    role: r.role as StaffRole,
    label: r.label,
    nationalIdHint: r.national_id_hint,
    addedAt: new Date(r.created_at),
  });
  return {
    /** Gives a person a role in an organisation; adding a role they already hold changes nothing. */
    async add(input: {
      organisationId: string;
      nationalId: string;
      role: StaffRole;
      label: string;
      addedBy?: string;
    }): Promise<StaffMember> {
      const nationalId = input.nationalId.trim().toUpperCase();
      if (!isValidNationalId(nationalId)) {
        throw new AppError('request.invalid', { summary: 'nationalId is not a valid national ID' });
      }
      const row = {
        organisation_id: input.organisationId,
        citizen_ref: citizenRef(nationalId),
        role: input.role,
        label: input.label.trim().slice(0, 100) || maskNationalId(nationalId),
        national_id_hint: maskNationalId(nationalId),
        added_by: input.addedBy ?? null,
        created_at: now(),
      };
      await db
        .insertInto('staff_members')
        .values(row)
        .onConflict((c) => c.columns(['organisation_id', 'citizen_ref', 'role']).doNothing())
        .execute();
      return toMember(row);
    },

    /** Takes a role away; answers whether there was one to take. */
    async remove(input: { organisationId: string; citizenRef: string; role: StaffRole }): Promise<boolean> {
      const result = await db
        .deleteFrom('staff_members')
        .where('organisation_id', '=', input.organisationId)
        .where('citizen_ref', '=', input.citizenRef)
        .where('role', '=', input.role)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Every role one person holds, in any organisation. */
    async rolesOf(citizenRef: string): Promise<StaffMember[]> {
      const rows = await db
        .selectFrom('staff_members')
        .selectAll()
        .where('citizen_ref', '=', citizenRef)
        .orderBy('organisation_id')
        .orderBy('role')
        .execute();
      return rows.map(toMember);
    },

    /** Whether a person holds one of the roles in the organisation. */
    async hasRole(citizenRef: string, organisationId: string, roles: readonly StaffRole[]): Promise<boolean> {
      const row = await db
        .selectFrom('staff_members')
        .select('role')
        .where('citizen_ref', '=', citizenRef)
        .where('organisation_id', '=', organisationId)
        .where('role', 'in', [...roles])
        .executeTakeFirst();
      return row !== undefined;
    },

    /** An organisation's staff, with the ref to remove each by (never the national ID). */
    async list(organisationId: string): Promise<Array<StaffMember & { citizenRef: string }>> {
      const rows = await db
        .selectFrom('staff_members')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({ ...toMember(r), citizenRef: r.citizen_ref }));
    },
  };
}

export type StaffRepo = ReturnType<typeof createStaffRepo>;
