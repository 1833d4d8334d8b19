import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TPathExplain, TPathTemplateDetail, TTaskDetail } from '@huifang/shared';
import { createCustomer, letters } from '../../../../test/customers-helpers.ts';
import { countRows, expectError, loginAs, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';
import { instantiatePaths, onServiceRecordCreated, runPathCatchUp } from './paths.service.ts';
import { genContext } from '../plans/plans.service.ts';

let t: TTestApp;
let admin: TClient;
let manager: TClient;
let hzManager: TClient;
let agent: TClient;
let liuId: string;
let planId: string;
// 2026-04-01 02:00 in Asia/Shanghai (UTC+8, no DST): the UTC date is still 31 March.
const NOW = '2026-03-31T18:00:00Z';

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(NOW);
  [admin, manager, hzManager, agent] = (await Promise.all(
    ['admin', 'zhang.manager', 'li.manager', 'liu.agent'].map((u, i) => loginAs(t, u, { ip: `10.8.0.${i + 1}` })),
  )) as [TClient, TClient, TClient, TClient];
  liuId = await userIdByName(t, 'liu.agent');
  for (const f of [
    { key: 'discharge_date', label: '出院日期', type: 'date' },
    { key: 'dept', label: '科室', type: 'text' },
  ]) {
    const res = await admin.post('/api/custom-fields', { entity: 'service_record', ...f });
    expect(res.statusCode, res.body).toBe(201);
  }
  // The plan the paths belong to: a path plan (no target of its own), fixed assignee, contact hours 09–21 (defaults).
  const plan = await manager.post('/api/followup/plans', {
    name: '出院随访',
    topic: 'satisfaction',
    methods: ['phone', 'sms'],
    targetKind: 'path',
    script: '',
    startDate: '2026-04-01',
    dueDays: 7,
    assignment: 'fixed',
    assigneeId: liuId,
  });
  expect(plan.statusCode, plan.body).toBe(201);
  planId = plan.json().id;
  expect((await manager.get(`/api/followup/plans/${planId}/preview`)).json()).toMatchObject({
    matched: 0,
    willCreate: 0,
  });
  const act = await manager.post(`/api/followup/plans/${planId}/status`, { status: 'active' });
  expect(act.statusCode, act.body).toBe(200);
  // Activation creates nothing by itself: a path plan's tasks come only from its templates.
  expect(act.json().created).toBe(0);
  expect(await countRows(t, `select 1 from followup_tasks where plan_id = '${planId}'`)).toBe(0);
});
afterAll(async () => t.close());

/** A fresh service type, so that each test's templates match only its own records. */
async function serviceType(): Promise<string> {
  const res = await admin.post('/api/service-types', {
    key: `t_${letters(8).toLowerCase()}`,
    name: `出院-${letters(4)}`,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

const point = (over: Record<string, unknown> = {}) => ({
  label: '出院一周',
  anchor: { kind: 'field', key: 'discharge_date' },
  offsetDays: 7,
  windowDays: 2,
  method: 'phone',
  ...over,
});

async function createTemplate(
  by: TClient,
  typeId: string,
  over: Record<string, unknown> = {},
  activate = true,
): Promise<TPathTemplateDetail> {
  const res = await by.post('/api/followup/paths', {
    name: `路径-${letters(5)}`,
    planId,
    rules: [{ kind: 'service_type', serviceTypeId: typeId, weight: 10 }],
    points: [point()],
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  if (!activate) return res.json();
  const a = await by.post(`/api/followup/paths/${res.json().id}/status`, { status: 'active' });
  expect(a.statusCode, a.body).toBe(200);
  return a.json();
}

async function record(
  typeId: string,
  custom: Record<string, string | null> = {},
  occurredAt = '2026-03-31T17:30:00Z',
  customerId?: string,
): Promise<{ id: string; customerId: string }> {
  const cid = customerId ?? (await createCustomer(t, admin, 'SH-LJZ')).id;
  const res = await manager.post(`/api/customers/${cid}/service-records`, {
    serviceTypeId: typeId,
    occurredAt,
    custom,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id, customerId: cid };
}

async function explain(by: TClient, srId: string, templateId?: string): Promise<TPathExplain> {
  const res = await by.get(
    `/api/followup/paths/explain?serviceRecordId=${srId}${templateId ? `&templateId=${templateId}` : ''}`,
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const put = (by: TClient, url: string, payload: object) => by.request({ method: 'PUT', url, payload });

const tasksOfRecord = async (srId: string) =>
  (
    await t.pool.query<{
      id: string;
      occurrence_key: string;
      due_from: Date;
      due_until: Date;
      assignee_id: string;
      plan_id: string;
      state: string;
    }>('select * from followup_tasks where service_record_id = $1 order by occurrence_key', [srId])
  ).rows;

describe('matching', () => {
  it('the highest total weight wins; a negative rule excludes; ties go to the older template', async () => {
    const typeId = await serviceType();
    // The tie order goes by creation time (then id): a second apart, as in real use (the test clock stands still).
    const a = await createTemplate(manager, typeId, { name: 'A 通用' });
    t.clock.set(new Date(Date.parse(NOW) + 1000).toISOString());
    const b = await createTemplate(manager, typeId, {
      name: 'B 心内',
      rules: [
        { kind: 'service_type', serviceTypeId: typeId, weight: 10 },
        { kind: 'field_contains', key: 'dept', value: '心内', weight: 5 },
      ],
    });
    t.clock.set(new Date(Date.parse(NOW) + 2000).toISOString());
    const c = await createTemplate(manager, typeId, {
      name: 'C 非儿科',
      rules: [
        { kind: 'service_type', serviceTypeId: typeId, weight: 12 },
        { kind: 'field_equals', key: 'dept', value: '儿科', negative: true },
      ],
    });

    t.clock.set(NOW);
    const cardio = await record(typeId, { dept: '心内科一病区', discharge_date: '2026-03-30' });
    const e1 = await explain(manager, cardio.id);
    expect(e1.templateId).toBe(b.id);
    expect(e1.isInstantiated).toBe(true);
    expect(e1.candidates.map((x) => [x.name, x.score, x.excluded, x.matchedRules])).toEqual([
      ['B 心内', 15, false, [0, 1]],
      ['C 非儿科', 12, false, [0]],
      ['A 通用', 10, false, [0]],
    ]);

    const kids = await record(typeId, { dept: '儿科', discharge_date: '2026-03-30' });
    const e2 = await explain(manager, kids.id);
    // C is excluded by its negative rule; A and B tie at 10 → A, created first.
    expect(e2.templateId).toBe(a.id);
    expect(e2.candidates.find((x) => x.templateId === c.id)).toMatchObject({
      excluded: true,
      isEligible: false,
      matchedRules: [0, 1],
    });
    expect(e2.candidates.filter((x) => x.isEligible).map((x) => x.name)).toEqual(['A 通用', 'B 心内']);

    const ortho = await record(typeId, { dept: '骨科', discharge_date: '2026-03-30' });
    expect((await explain(manager, ortho.id)).templateId).toBe(c.id);

    // Each record got exactly one template's tasks, under the template's plan.
    for (const r of [cardio, kids, ortho]) {
      const tasks = await tasksOfRecord(r.id);
      expect(tasks.map((x) => [x.occurrence_key, x.plan_id])).toEqual([[`path:${r.id}:1`, planId]]);
    }
    // A retired template no longer matches new records (and a record of another type matches none).
    expect((await manager.post(`/api/followup/paths/${b.id}/status`, { status: 'retired' })).statusCode).toBe(200);
    const cardio2 = await record(typeId, { dept: '心内科', discharge_date: '2026-03-30' });
    expect((await explain(manager, cardio2.id)).templateId).toBe(c.id);
    const other = await record(await serviceType(), { dept: '心内科', discharge_date: '2026-03-30' });
    const none = await explain(manager, other.id);
    expect([none.templateId, none.points, none.isInstantiated]).toEqual([null, [], false]);
    expect(await tasksOfRecord(other.id)).toEqual([]);
  });
});

describe('instantiation', () => {
  it('one task per point with windows in Asia/Shanghai (across a month end, local date of the service time); reruns create nothing', async () => {
    const typeId = await serviceType();
    const tpl = await createTemplate(manager, typeId, {
      points: [
        point({ label: '出院一周', offsetDays: 7, windowDays: 2 }),
        point({ label: '一月', anchor: { kind: 'occurred_at' }, offsetDays: 30, windowDays: 5 }),
        point({
          label: '三月短信',
          anchor: { kind: 'occurred_at' },
          offsetDays: 90,
          windowDays: 0,
          method: 'sms',
          skippable: true,
        }),
      ],
    });
    // Served at 01:30 on 1 April local time (still 31 March in UTC); discharged on 28 March.
    const sr = await record(typeId, { discharge_date: '2026-03-28' }, '2026-03-31T17:30:00Z');
    const tasks = await tasksOfRecord(sr.id);
    expect(
      tasks.map((x) => [x.occurrence_key, x.due_from.toISOString(), x.due_until.toISOString(), x.assignee_id, x.state]),
    ).toEqual([
      // 28 Mar + 7 = 4 Apr ± 2 → 2 Apr 09:00 … 6 Apr 21:00 (+08:00).
      [`path:${sr.id}:1`, '2026-04-02T01:00:00.000Z', '2026-04-06T13:00:00.000Z', liuId, 'pending'],
      // 1 Apr (local) + 30 = 1 May ± 5 → 26 Apr … 6 May.
      [`path:${sr.id}:2`, '2026-04-26T01:00:00.000Z', '2026-05-06T13:00:00.000Z', liuId, 'pending'],
      // 1 Apr + 90 = 30 Jun, window 0: the one day.
      [`path:${sr.id}:3`, '2026-06-30T01:00:00.000Z', '2026-06-30T13:00:00.000Z', liuId, 'pending'],
    ]);
    const e = await explain(manager, sr.id);
    expect(
      e.points.map((p) => [p.no, p.anchorDate, p.dueFromDate, p.dueUntilDate, p.noTaskReason, p.taskId !== null]),
    ).toEqual([
      [1, '2026-03-28', '2026-04-02', '2026-04-06', null, true],
      [2, '2026-04-01', '2026-04-26', '2026-05-06', null, true],
      [3, '2026-04-01', '2026-06-30', '2026-06-30', null, true],
    ]);
    expect(e.version).toBe(1);
    // Re-running: the catch-up job, the API run, and the create hook again → nothing new.
    const before = await countRows(t, 'select 1 from followup_tasks');
    expect(await runPathCatchUp(t.app.deps)).toEqual({ records: 0, tasks: 0 });
    expect((await manager.post('/api/followup/paths/run')).json()).toEqual({ records: 0, tasks: 0 });
    expect(
      await t.db.transaction((tx) =>
        onServiceRecordCreated(t.app.deps, tx, { tenantId: t.tenantId, serviceRecordId: sr.id, actorId: null }),
      ),
    ).toBe(0);
    expect(await countRows(t, 'select 1 from followup_tasks')).toBe(before);
    expect(await countRows(t, 'select 1 from followup_path_instances where template_id = $1', [tpl.id])).toBe(1);
    // One creation record (generation run) for the three tasks.
    expect(
      (
        await t.pool.query('select created, rule_kind from followup_generation_runs where occurrence = $1', [
          `path:${sr.id}`,
        ])
      ).rows,
    ).toEqual([{ created: 3, rule_kind: 'path' }]);
    // The same customer may run several paths at once: a second record makes its own tasks.
    const sr2 = await record(typeId, { discharge_date: '2026-03-29' }, '2026-03-31T17:30:00Z', sr.customerId);
    expect((await tasksOfRecord(sr2.id)).length).toBe(3);
  });

  it('an empty anchor field makes no task for its points (explain says why); a past window makes none either', async () => {
    const typeId = await serviceType();
    await createTemplate(manager, typeId, {
      points: [
        point(),
        point({ label: '一月', anchor: { kind: 'occurred_at' }, offsetDays: 30, windowDays: 5 }),
        point({ label: '旧', anchor: { kind: 'occurred_at' }, offsetDays: -10, windowDays: 1 }),
      ],
    });
    const sr = await record(typeId, { discharge_date: null });
    expect((await tasksOfRecord(sr.id)).map((x) => x.occurrence_key)).toEqual([`path:${sr.id}:2`]);
    const e = await explain(manager, sr.id);
    expect(e.points.map((p) => [p.no, p.anchorDate, p.noTaskReason])).toEqual([
      [1, null, 'anchor_empty'],
      [2, '2026-04-01', null],
      [3, '2026-04-01', 'expired'],
    ]);
  });

  it('a date field holding no real day (imported 2026-02-30) skips its points with a reason and fails nobody else', async () => {
    const typeId = await serviceType();
    const tpl = await createTemplate(manager, typeId, {}, false);
    const good = await record(typeId, { discharge_date: '2026-03-30' });
    const bad = await record(typeId, { discharge_date: '2026-03-30' });
    await t.pool.query(
      `update service_records set custom = jsonb_set(custom, '{discharge_date}', '"2026-02-30"') where id = $1`,
      [bad.id],
    );
    expect((await manager.post(`/api/followup/paths/${tpl.id}/status`, { status: 'active' })).statusCode).toBe(200);
    const run = await manager.post('/api/followup/paths/run');
    expect(run.statusCode, run.body).toBe(200);
    expect((await tasksOfRecord(good.id)).length).toBe(1);
    expect(await tasksOfRecord(bad.id)).toEqual([]);
    expect((await explain(manager, bad.id)).points.map((p) => [p.anchorDate, p.noTaskReason])).toEqual([
      [null, 'anchor_invalid'],
    ]);
  });

  it('the catch-up job instantiates records made while no template was active, once; the contact policy holds', async () => {
    const typeId = await serviceType();
    const tpl = await createTemplate(manager, typeId, {}, false);
    const sr = await record(typeId, { discharge_date: '2026-03-30' });
    const dnc = await record(typeId, { discharge_date: '2026-03-30' });
    await t.pool.query(`update customers set do_not_contact_until = '2026-12-31T00:00:00Z' where id = $1`, [
      dnc.customerId,
    ]);
    expect(await tasksOfRecord(sr.id)).toEqual([]);
    expect((await manager.post(`/api/followup/paths/${tpl.id}/status`, { status: 'active' })).statusCode).toBe(200);
    const run = (await manager.post('/api/followup/paths/run')).json();
    expect(run.tasks).toBeGreaterThanOrEqual(1);
    expect((await tasksOfRecord(sr.id)).length).toBe(1);
    expect(await tasksOfRecord(dnc.id)).toEqual([]);
    expect((await explain(manager, dnc.id)).points.map((p) => p.noTaskReason)).toEqual(['do_not_contact']);
    expect((await manager.post('/api/followup/paths/run')).json()).toEqual({ records: 0, tasks: 0 });
  });
});

describe('working a path task', () => {
  it('the workbench gives the time point’s method, script and questionnaire; answers are checked against that questionnaire', async () => {
    const def = {
      title: '出院一周问卷',
      questions: [{ key: 'pain', type: 'csat', title: '疼痛缓解', required: true }],
    };
    const survey = await admin.post('/api/surveys', { definition: def });
    expect(survey.statusCode, survey.body).toBe(201);
    expect((await admin.post(`/api/surveys/${survey.json().id}/publish`, {})).statusCode).toBe(200);
    const typeId = await serviceType();
    await createTemplate(manager, typeId, {
      points: [point({ method: 'visit', script: '{客户称呼}您好，护士上门看看伤口。', surveyId: survey.json().id })],
    });
    const sr = await record(typeId, { discharge_date: '2026-04-01' });
    const [task] = await tasksOfRecord(sr.id);
    const detail = (await agent.get(`/api/followup/tasks/${task!.id}`)).json() as TTaskDetail;
    expect(detail.methods[0]).toBe('visit'); // the point's method first, though the plan has phone and SMS only
    expect(detail.script).toMatch(/您好，护士上门看看伤口。$/);
    expect(detail.questionnaire).toEqual({
      title: '出院一周问卷',
      questions: [expect.objectContaining({ key: 'pain', type: 'csat' })],
    });
    expect((await agent.post(`/api/followup/tasks/${task!.id}/claim`)).statusCode).toBe(200);
    expectError(
      await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
        channel: 'visit',
        outcome: 'reached',
        reachedWhom: 'customer',
        answers: { q1: 5 },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.answers.q1'],
    );
    const res = await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
      channel: 'visit',
      outcome: 'reached',
      reachedWhom: 'customer',
      satisfaction: 5,
      answers: { pain: 4 },
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('versions', () => {
  it('an edit racing an instantiation waits for it, then sees the version in use and makes a new one', async () => {
    const typeId = await serviceType();
    const draft = await createTemplate(manager, typeId, {}, false);
    const sr = await record(typeId, { discharge_date: '2026-03-30' }); // no active template yet: no instance
    expect((await manager.post(`/api/followup/paths/${draft.id}/status`, { status: 'active' })).statusCode).toBe(200);
    const body = { name: draft.name, planId, rules: draft.rules, points: [point({ offsetDays: 9 })] };
    let edited: Promise<TPathTemplateDetail> | null = null;
    let settled = false;
    await t.db.transaction(async (tx) => {
      // An instantiation in progress (the create hook's transaction, not yet committed)...
      expect(
        (await instantiatePaths(tx, await genContext(t.app.deps, t.tenantId, null), { serviceRecordId: sr.id })).tasks,
      ).toBe(1);
      // ...and an edit of v1, which nothing has used as far as committed data says.
      edited = put(manager, `/api/followup/paths/${draft.id}`, body).then((r) => {
        settled = true;
        return r.json() as TPathTemplateDetail;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
    });
    const v = await edited!;
    expect(v.currentVersion).toBe(2);
    expect(v.versions.map((x) => [x.version, x.isInUse, x.points[0]!.offsetDays])).toEqual([
      [2, false, 9],
      [1, true, 7],
    ]);
  });

  it('editing a version that made tasks makes a new version; the old tasks stay; unused versions are edited in place', async () => {
    const typeId = await serviceType();
    const draft = await createTemplate(manager, typeId, {}, false);
    const body = { name: draft.name, planId, rules: draft.rules, points: [point({ offsetDays: 5 })] };
    const inPlace = (await put(manager, `/api/followup/paths/${draft.id}`, body)).json() as TPathTemplateDetail;
    expect([inPlace.currentVersion, inPlace.versions.length, inPlace.points[0]!.offsetDays]).toEqual([1, 1, 5]);
    await manager.post(`/api/followup/paths/${draft.id}/status`, { status: 'active' });
    const sr1 = await record(typeId, { discharge_date: '2026-03-30' });
    const [old] = await tasksOfRecord(sr1.id);
    // Renaming only: no new version.
    const renamed = (
      await put(manager, `/api/followup/paths/${draft.id}`, { ...body, name: '改名' })
    ).json() as TPathTemplateDetail;
    expect([renamed.name, renamed.currentVersion]).toEqual(['改名', 1]);
    const v2 = (
      await put(manager, `/api/followup/paths/${draft.id}`, {
        ...body,
        points: [point({ offsetDays: 10 }), point({ label: '回访2', offsetDays: 20 })],
      })
    ).json() as TPathTemplateDetail;
    expect(v2.currentVersion).toBe(2);
    expect(v2.versions.map((v) => [v.version, v.isInUse, v.tasks, v.points.length])).toEqual([
      [2, false, 0, 2],
      [1, true, 1, 1],
    ]);
    expect(await tasksOfRecord(sr1.id)).toEqual([old]);
    expect((await explain(manager, sr1.id)).version).toBe(1);
    const sr2 = await record(typeId, { discharge_date: '2026-03-30' });
    expect((await tasksOfRecord(sr2.id)).map((x) => x.due_from.toISOString())).toEqual([
      '2026-04-07T01:00:00.000Z',
      '2026-04-17T01:00:00.000Z',
    ]);
    expect((await explain(manager, sr2.id)).version).toBe(2);
  });
});

describe('input and scope', () => {
  it('bad input → 400 with the field paths, nothing written', async () => {
    const typeId = await serviceType();
    const before = await countRows(t, 'select 1 from followup_path_templates');
    const versions = await countRows(t, 'select 1 from followup_path_versions');
    const bad1 = await manager.post('/api/followup/paths', {
      name: 'x',
      planId,
      rules: [],
      points: [point({ offsetDays: 1.5, windowDays: -1 })],
    });
    expectError(bad1, 400, 'VALIDATION_FAILED', ['body.points.0.offsetDays', 'body.points.0.windowDays']);
    const bad2 = await manager.post('/api/followup/paths', {
      name: 'x',
      planId,
      rules: [
        { kind: 'service_type', serviceTypeId: typeId },
        { kind: 'field_equals', key: 'no_such', value: '1' },
      ],
      points: [
        point(),
        point({ method: 'pigeon' }),
        point({ anchor: { kind: 'field', key: 'nope' } }),
        point({ anchor: { kind: 'field', key: 'dept' } }),
      ],
    });
    expectError(bad2, 400, 'VALIDATION_FAILED', [
      'body.points.1.method',
      'body.points.2.anchor.key',
      'body.points.3.anchor.key',
      'body.rules.1.key',
    ]);
    const bad3 = await manager.post('/api/followup/paths', {
      name: 'x',
      planId: '00000000-0000-4000-8000-000000000000',
      rules: [],
      points: [point()],
    });
    expectError(bad3, 404, 'NOT_FOUND', ['body.planId']);
    expect(await countRows(t, 'select 1 from followup_path_templates')).toBe(before);
    expect(await countRows(t, 'select 1 from followup_path_versions')).toBe(versions);
  });

  it('a manager of another branch gets 404 on a template and a record outside his subtree', async () => {
    const typeId = await serviceType();
    const tpl = await createTemplate(manager, typeId);
    const sr = await record(typeId, { discharge_date: '2026-03-30' });
    expectError(await hzManager.get(`/api/followup/paths/${tpl.id}`), 404, 'NOT_FOUND');
    expectError(
      await put(hzManager, `/api/followup/paths/${tpl.id}`, { name: 'x', planId, rules: [], points: [point()] }),
      404,
      'NOT_FOUND',
    );
    expectError(await hzManager.post(`/api/followup/paths/${tpl.id}/status`, { status: 'retired' }), 404, 'NOT_FOUND');
    expectError(await hzManager.get(`/api/followup/paths/explain?serviceRecordId=${sr.id}`), 404, 'NOT_FOUND');
    expect(
      ((await hzManager.get('/api/followup/paths?pageSize=100')).json().items as { id: string }[]).some(
        (x) => x.id === tpl.id,
      ),
    ).toBe(false);
    expect((await manager.get(`/api/followup/paths/${tpl.id}`)).statusCode).toBe(200);
  });
});

describe('skipping a point', () => {
  it('the agent skips a skippable point with a reason (task event skipped); other points cannot be skipped', async () => {
    const typeId = await serviceType();
    await createTemplate(manager, typeId, {
      points: [
        point(),
        point({
          label: '三月短信',
          anchor: { kind: 'occurred_at' },
          offsetDays: 90,
          windowDays: 0,
          method: 'sms',
          skippable: true,
        }),
      ],
    });
    const sr = await record(typeId, { discharge_date: '2026-03-30' });
    const [first, sms] = await tasksOfRecord(sr.id);
    const info = await agent.get(`/api/followup/path-tasks/${sms!.id}`);
    expect(info.json()).toMatchObject({ no: 2, version: 1, point: { method: 'sms', skippable: true } });
    expectError(
      await agent.post(`/api/followup/path-tasks/${sms!.id}/skip`, { reason: '' }),
      400,
      'VALIDATION_FAILED',
      ['body.reason'],
    );
    expectError(
      await agent.post(`/api/followup/path-tasks/${first!.id}/skip`, { reason: '患者要求' }),
      409,
      'CONFLICT',
    );
    expect(
      (await agent.post(`/api/followup/path-tasks/${sms!.id}/skip`, { reason: '已电话随访, 不再发短信' })).statusCode,
    ).toBe(200);
    const after = await tasksOfRecord(sr.id);
    expect(after.map((x) => x.state)).toEqual(['pending', 'cancelled']);
    const ev = (
      await t.pool.query('select kind, from_state, to_state, data from followup_task_events where task_id = $1', [
        sms!.id,
      ])
    ).rows;
    expect(ev).toEqual([
      {
        kind: 'skipped',
        from_state: 'pending',
        to_state: 'cancelled',
        data: { reason: '已电话随访, 不再发短信', point: 2, label: '三月短信' },
      },
    ]);
    expectError(await agent.post(`/api/followup/path-tasks/${sms!.id}/skip`, { reason: '再次' }), 409, 'CONFLICT');
  });
});

describe('demo paths', () => {
  it('a discharge path and a delivery path with tasks from demo service records; the 产科 record is excluded; loads once', async () => {
    const { loadDemoPaths } = await import('../../bootstrap/demo-paths.ts');
    const { loadDemoCustomers } = await import('../../bootstrap/demo-customers.ts');
    const d = await createTestApp();
    try {
      await loadDemoCustomers(d, d.tenantId, 400);
      const n = await loadDemoPaths(d, d.tenantId);
      // 7 discharges (one of 8 is 产科) and 6 deliveries, 3 points each, minus windows already past (records up to 19 days old).
      expect(n).toBeGreaterThan(20);
      const byTemplate = (
        await d.pool.query(
          'select t.name, count(pi.*)::int as n from followup_path_templates t left join followup_path_instances pi on pi.template_id = t.id group by t.name order by t.name',
        )
      ).rows;
      expect(byTemplate).toEqual([
        { name: '出院随访路径', n: 7 },
        { name: '新车交付回访路径', n: 6 },
      ]);
      const zhang = await loginAs(d, 'zhang.manager');
      const list = (await zhang.get('/api/followup/paths')).json();
      expect(list.items.map((x: { status: string }) => x.status)).toEqual(['active', 'active']);
      expect(await loadDemoPaths(d, d.tenantId)).toBe(0);
    } finally {
      await d.close();
    }
  });
});

describe('automatic SMS time points', () => {
  it('a path plan with an automatic SMS sends its SMS points; its phone points stay with the agent', async () => {
    {
      // Contact hours round the clock, so that the job queues at the suite's 02:00 (the sender would still hold the
      // message until the tenant's quiet hours end; not run here).
      const res = await manager.post('/api/followup/plans', {
        name: `出院关怀-${letters(4)}`,
        topic: 'care',
        methods: ['phone', 'sms'],
        targetKind: 'path',
        startDate: '2026-04-01',
        dueDays: 7,
        assignment: 'fixed',
        assigneeId: liuId,
        contactFromHour: 0,
        contactToHour: 24,
        message: { channel: 'sms', template: '{客户称呼}您好，祝您早日康复。', templateCode: 'SMS_9001' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const smsPlanId = res.json().id as string;
      expect((await manager.post(`/api/followup/plans/${smsPlanId}/status`, { status: 'active' })).statusCode).toBe(
        200,
      );
      const typeId = await serviceType();
      await createTemplate(manager, typeId, {
        planId: smsPlanId,
        points: [
          point({ label: '出院当天电话', offsetDays: 0, windowDays: 1 }),
          point({ label: '出院当天短信', offsetDays: 0, windowDays: 1, method: 'sms' }),
        ],
      });
      const patient = await createCustomer(t, admin, 'SH-LJZ', {
        name: '许平',
        gender: 'female',
        phones: ['13912340001'],
      });
      const rec = await record(typeId, { discharge_date: '2026-04-01' }, undefined, patient.id);
      expect((await tasksOfRecord(rec.id)).map((x) => [x.occurrence_key.split(':')[2], x.state])).toEqual([
        ['1', 'pending'],
        ['2', 'pending'],
      ]);
      await t.jobs.send('followup-auto-send', {});
      await t.jobs.idle();
      const [phoneTask, smsTask] = await tasksOfRecord(rec.id);
      expect(phoneTask!.state).toBe('pending');
      expect(smsTask!.state).toBe('in_progress');
      const outbox = (
        await t.pool.query(
          `select ref_id, channel, body, template_code from outbox_messages where ref_type = 'followup_task' and ref_id = any($1)`,
          [[phoneTask!.id, smsTask!.id]],
        )
      ).rows;
      expect(outbox).toMatchObject([{ ref_id: smsTask!.id, channel: 'sms', template_code: 'SMS_9001' }]);
      expect(outbox[0].body).toBe('许女士您好，祝您早日康复。');
    }
  });
});

describe('time-point priority', () => {
  it('tasks carry their point priority; sort=priority puts the most urgent first', async () => {
    const typeId = await serviceType();
    await createTemplate(manager, typeId, {
      points: [
        point({ label: '低优先', offsetDays: 1, priority: 5 }),
        point({ label: '紧急', offsetDays: 2, priority: 1 }),
        point({ label: '普通', offsetDays: 0, priority: 3 }),
      ],
    });
    const rec = await record(typeId, { discharge_date: '2026-04-01' });
    const list = async (sort?: string) => {
      const res = await manager.get(`/api/followup/tasks?customerId=${rec.customerId}${sort ? `&sort=${sort}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { occurrenceKey: string; priority: number | null }[]).map((x) => [
        x.occurrenceKey.split(':')[2],
        x.priority,
      ]);
    };
    // by due date (points 3, 1, 2 are due on the 1st, 2nd and 3rd)
    expect(await list()).toEqual([
      ['3', 3],
      ['1', 5],
      ['2', 1],
    ]);
    expect(await list('priority')).toEqual([
      ['2', 1],
      ['3', 3],
      ['1', 5],
    ]);
    expect(await list('-priority')).toEqual([
      ['1', 5],
      ['3', 3],
      ['2', 1],
    ]);
  });
});
