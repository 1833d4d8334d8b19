import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { addDays, localDate, zonedInstant } from '../policy/calendar.ts';
import { genContext } from '../followup/plans/plans.service.ts';
import { instantiatePaths } from '../followup/paths/paths.service.ts';

const TZ = 'Asia/Shanghai';

/**
 * Demo plan templates 回访路径: a hospital discharge path (出院 + 7 天 ± 2 电话+问卷, + 30 天 ± 5 电话, + 90 天短信 可跳过;
 * not for 产科, which a negative rule excludes) and a car-dealer delivery path (交车 + 3 天 ± 1, + 30 天 ± 5, + 180 天
 * 短信 可跳过), each on its own active plan, and a few discharge / delivery service records of 上海分行 customers whose
 * tasks the set-based instantiation creates. Returns the number of tasks (0 when templates already exist).
 */
export async function loadDemoPaths(deps: { db: Db; clock: TClock }, tenantId: string): Promise<number> {
  const db = deps.db;
  const [exists] = (
    await db.execute<{ n: number }>(
      sql`select count(*)::int as n from followup_path_templates where tenant_id = ${tenantId}`,
    )
  ).rows;
  if ((exists?.n ?? 0) > 0) return 0;
  const [who] = (
    await db.execute<{
      liu: string | null;
      zhang: string | null;
      sh: string | null;
      survey: string | null;
      discharge: string | null;
      sale: string | null;
    }>(sql`
      select (select id from users where tenant_id = ${tenantId} and username = 'liu.agent') as liu,
             (select id from users where tenant_id = ${tenantId} and username = 'zhang.manager') as zhang,
             (select id from org_units where tenant_id = ${tenantId} and code = 'SH') as sh,
             (select id from surveys where tenant_id = ${tenantId} and status = 'published' order by created_at limit 1) as survey,
             (select id from service_types where tenant_id = ${tenantId} and key = 'discharge') as discharge,
             (select id from service_types where tenant_id = ${tenantId} and key = 'sale') as sale`)
  ).rows;
  if (!who?.liu || !who.zhang || !who.sh || !who.discharge || !who.sale) return 0;
  const now = deps.clock.now();
  const today = localDate(now, TZ);
  const at = (days: number, hour: number) => zonedInstant(addDays(today, days), hour, TZ);
  const ctx = await genContext(deps, tenantId, null);

  return db.transaction(async (tx) => {
    await tx.execute(sql`insert into custom_field_defs (tenant_id, entity, key, label, type, sort_order) values
      (${tenantId}, 'service_record', 'discharge_date', '出院日期', 'date', 10), (${tenantId}, 'service_record', 'dept', '科室', 'text', 11),
      (${tenantId}, 'service_record', 'delivery_date', '交车日期', 'date', 12), (${tenantId}, 'service_record', 'car_model', '车型', 'text', 13)
      on conflict do nothing`);
    const plans = await tx.execute<{ id: string; name: string }>(sql`
      insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, script, survey_id, start_date, due_days, assignment, assignee_id,
                                  max_attempts, retry_hours, status, activated_at, created_by, created_at, updated_at)
      values
        (${tenantId}, ${who.sh}, '出院随访 (回访路径)', 'satisfaction', '{phone,sms}', 'path', '{客户称呼}您好，我是随访专员{坐席姓名}，想了解您出院后的恢复情况。', ${who.survey},
         ${addDays(today, -30)}, 7, 'fixed', ${who.liu}, 3, 4, 'active', ${at(-30, 9)}, ${who.zhang}, ${at(-31, 10)}, ${at(-30, 9)}),
        (${tenantId}, ${who.sh}, '新车交付回访 (回访路径)', 'satisfaction', '{phone,sms}', 'path', '{客户称呼}您好，我是{网点名称}的{坐席姓名}，您的新车用得还顺手吗？', null,
         ${addDays(today, -30)}, 7, 'fixed', ${who.liu}, 3, 4, 'active', ${at(-30, 9)}, ${who.zhang}, ${at(-31, 10)}, ${at(-30, 9)})
      returning id, name`);
    const planOf = (prefix: string) => plans.rows.find((p) => p.name.startsWith(prefix))!.id;
    const pt = (
      label: string,
      anchor: object,
      offsetDays: number,
      windowDays: number,
      method: string,
      extra: object = {},
    ) => ({
      label,
      anchor,
      offsetDays,
      windowDays,
      method,
      script: '',
      surveyId: null,
      priority: 3,
      skippable: false,
      ...extra,
    });
    const discharge = { kind: 'field', key: 'discharge_date' };
    const delivery = { kind: 'field', key: 'delivery_date' };
    const templates = [
      {
        name: '出院随访路径',
        plan: planOf('出院随访'),
        rules: [
          { kind: 'service_type', serviceTypeId: who.discharge, weight: 10, negative: false },
          { kind: 'field_equals', key: 'dept', value: '产科', weight: 10, negative: true },
        ],
        points: [
          pt('出院一周电话随访', discharge, 7, 2, 'phone', { surveyId: who.survey, priority: 1 }),
          pt('出院一月电话随访', discharge, 30, 5, 'phone', { priority: 2 }),
          pt('出院三月短信关怀', discharge, 90, 0, 'sms', { skippable: true, priority: 4 }),
        ],
      },
      {
        name: '新车交付回访路径',
        plan: planOf('新车交付'),
        rules: [
          { kind: 'service_type', serviceTypeId: who.sale, weight: 10, negative: false },
          { kind: 'field_contains', key: 'car_model', value: 'SUV', weight: 5, negative: false },
        ],
        points: [
          pt('交车三日回访', delivery, 3, 1, 'phone', { priority: 1 }),
          pt('首月用车回访', delivery, 30, 5, 'phone', { priority: 2 }),
          pt('半年保养提醒', delivery, 180, 10, 'sms', { skippable: true, priority: 4 }),
        ],
      },
    ];
    for (const [i, tpl] of templates.entries()) {
      const [t] = (
        await tx.execute<{
          id: string;
        }>(sql`insert into followup_path_templates (tenant_id, unit_id, plan_id, name, status, current_version, rules, created_by, created_at, updated_at)
          values (${tenantId}, ${who.sh}, ${tpl.plan}, ${tpl.name}, 'active', 1, ${JSON.stringify(tpl.rules)}::jsonb, ${who.zhang}, ${at(-30, 10 + i)}, ${at(-30, 10 + i)}) returning id`)
      ).rows;
      await tx.execute(sql`insert into followup_path_versions (tenant_id, template_id, version, points, created_by, created_at)
        values (${tenantId}, ${t!.id}, 1, ${JSON.stringify(tpl.points)}::jsonb, ${who.zhang}, ${at(-30, 10 + i)})`);
    }
    // Service records of the newest 上海分行 customers (demo-followup uses the oldest): 8 discharges (one 产科, excluded) and 6 deliveries over the last three weeks.
    await tx.execute(sql`
      with sh as (
        select c.id, c.unit_id, row_number() over (order by c.created_at desc, c.id desc) as n from customers c join org_units ou on ou.id = c.unit_id
        where c.tenant_id = ${tenantId} and ou.path like (select path from org_units where id = ${who.sh}) || '%' and c.consent_service and c.do_not_contact_until is null)
      insert into service_records (tenant_id, customer_id, service_type_id, unit_id, occurred_at, summary, custom, created_at)
      select ${tenantId}::uuid, sh.id, case when sh.n <= 8 then ${who.discharge}::uuid else ${who.sale}::uuid end, sh.unit_id,
             (${today}::date - (sh.n % 20)::int)::timestamp at time zone ${TZ} + interval '10 hours',
             case when sh.n <= 8 then '出院' else '新车交付' end,
             case when sh.n <= 8 then jsonb_build_object('discharge_date', to_char(${today}::date - (sh.n % 20)::int, 'YYYY-MM-DD'),
                                                           'dept', (array['心内科','骨科','普外科','产科','神经内科','呼吸科','心内科','骨科'])[sh.n::int])
                  else jsonb_build_object('delivery_date', to_char(${today}::date - (sh.n % 20)::int, 'YYYY-MM-DD'),
                                          'car_model', (array['紧凑型SUV','中型轿车','中大型SUV','新能源轿车','MPV','紧凑型SUV'])[(sh.n - 8)::int]) end,
             ${now}::timestamptz
      from sh where sh.n <= 14`);
    return (await instantiatePaths(tx, ctx)).tasks;
  });
}
