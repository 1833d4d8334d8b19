import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId } from './common.ts';

export const ZAuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  unitId: z.string().nullable(),
  summary: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type TAuditEvent = z.infer<typeof ZAuditEvent>;

export const ZAuditListQuery = ZPageQuery.extend({
  actorId: ZId.optional(),
  action: z.string().max(64).optional(),
  entityType: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type TAuditListQuery = z.infer<typeof ZAuditListQuery>;

/** Actions written to the audit log. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_changed',
  'org_unit.created',
  'org_unit.updated',
  'org_unit.moved',
  'user.created',
  'user.updated',
  'user.password_reset',
  'role.created',
  'role.updated',
  'role.deleted',
  'tenant.bootstrapped',
  'customer.created',
  'customer.updated',
  'customer.bulk_updated',
  'customer.pii_revealed',
  'customer.note_added',
  'customer.exported',
  'customer.imported',
  'customer.import_started',
  'customer.data_exported',
  'customer.erased',
  'customer.merged',
  'data_quality.settings_changed',
  'custom_field.created',
  'service_type.created',
  'service_record.created',
  'transaction.created',
  'evaluation.appealed',
  'evaluation.appeal_rejected',
  'evaluation.excluded',
  'evaluation.restored',
] as const;
