import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZBusinessCalendarYear,
  ZCalendarDay,
  ZCalendarDayInput,
  ZCalendarDayParams,
  ZCalendarQuery,
  ZContactPolicy,
  ZContactPolicyInput,
  ZEvaluationPolicy,
  ZEvaluationPolicyInput,
  ZOk,
  ZCalendarCoverage,
  ZTicketSlaSettings,
  ZTicketSlaSettingsInput,
} from '@huifang/shared';
import {
  getCalendarCoverage,
  getCalendarYear,
  removeCalendarDay,
  setCalendarDay,
} from '../policy/business-calendar.service.ts';
import { getTicketSlaSettings, saveTicketSlaSettings } from './ticket-sla.service.ts';
import { getContactPolicy, saveContactPolicy } from './contact-policy.service.ts';
import { getEvaluationPolicy, saveEvaluationPolicy } from './evaluation-policy.service.ts';

/** Tenant contact policy 联系策略, evaluation alerts 评价提醒 and business calendar 工作日历 (settings area; writes need settings:write, audited). */
export const policyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['settings'];
  app.get(
    '/settings/contact-policy',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: '联系策略 (免打扰时段、联系间隔)', response: { 200: ZContactPolicy } },
    },
    async (req) => getContactPolicy(deps.db, req.scope().tenantId),
  );
  app.put(
    '/settings/contact-policy',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '修改联系策略', body: ZContactPolicyInput, response: { 200: ZContactPolicy } },
    },
    async (req) => saveContactPolicy(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.get(
    '/settings/evaluation-policy',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: '评价提醒设置 (不满意提醒阈值)', response: { 200: ZEvaluationPolicy } },
    },
    async (req) => getEvaluationPolicy(deps.db, req.scope().tenantId),
  );
  app.put(
    '/settings/evaluation-policy',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '修改评价提醒设置', body: ZEvaluationPolicyInput, response: { 200: ZEvaluationPolicy } },
    },
    async (req) => saveEvaluationPolicy(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.get(
    '/settings/calendar',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '工作日历 (节假日与调休上班日)',
        querystring: ZCalendarQuery,
        response: { 200: ZBusinessCalendarYear },
      },
    },
    async (req) => getCalendarYear(deps.db, req.scope().tenantId, req.query.year),
  );
  app.get(
    '/settings/calendar/coverage',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: '工作日历覆盖到哪一天 (60 天内用完时提醒)', response: { 200: ZCalendarCoverage } },
    },
    async (req) => getCalendarCoverage(deps.db, req.scope().tenantId, deps.clock.now()),
  );
  app.get(
    '/settings/ticket-sla',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '工单时限 (各优先级首次响应、解决时限、预警比例、各级处理时限)',
        response: { 200: ZTicketSlaSettings },
      },
    },
    async (req) => getTicketSlaSettings(deps.db, req.scope().tenantId),
  );
  app.put(
    '/settings/ticket-sla',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '修改工单时限', body: ZTicketSlaSettingsInput, response: { 200: ZTicketSlaSettings } },
    },
    async (req) => saveTicketSlaSettings(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.put(
    '/settings/calendar/days/:date',
    {
      config: { access: 'settings:write' },
      schema: {
        tags,
        summary: '设为节假日或调休上班日',
        params: ZCalendarDayParams,
        body: ZCalendarDayInput,
        response: { 200: ZCalendarDay },
      },
    },
    async (req) => setCalendarDay(deps, req.scope(), req.auditCtx(), req.params.date, req.body),
  );
  app.delete(
    '/settings/calendar/days/:date',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '恢复为普通日', params: ZCalendarDayParams, response: { 200: ZOk } },
    },
    async (req) => removeCalendarDay(deps, req.scope(), req.auditCtx(), req.params.date),
  );
};
