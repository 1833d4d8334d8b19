/**
 * Permissions are ticked per role in the UI (勾选方式). Every API route declares one of these (or is public /
 * authenticated-only); a test fails when a route declares none. Labels live in the web locales under `perm.<key>`.
 */
export const PERMISSIONS = [
  'dashboard:read',
  'org:read',
  'org:write',
  'user:read',
  'user:write',
  'role:read',
  'role:write',
  'audit:read',
  'pii:reveal',
  'customer:read',
  'customer:write',
  'customer:export',
  'customer:import',
  'customer:erase',
  'settings:write',
  // Evaluation capture (DESIGN §4)
  'evaluation:read',
  'evaluation:manage',
  'evaluation:appeal',
  'counter:serve',
  'kiosk:manage',
  'survey:read',
  'survey:write',
  'review:read',
  'review:reply',
  // Follow-up 回访 (DESIGN §5): read; work = claim and record attempts on own tasks; manage = plans, rules, reassign
  'followup:read',
  'followup:work',
  'followup:manage',
  // Feedback handling and complaints (DESIGN §6): read classified feedback / correct its labels; tickets: read,
  // work (handle the tickets assigned to one), manage (create by hand, assign, SLA settings), supervise (the
  // service supervision team 服务监督团队: top of the escalation chain, decides appeals)
  'feedback:read',
  'feedback:label',
  'ticket:read',
  'ticket:work',
  'ticket:manage',
  'ticket:supervise',
  // Customer value 客户分级 (DESIGN §3): scoring models, rule classes, recompute runs
  'value:manage',
  // Queue ticketing 排队叫号 (DESIGN §4.4): outlet queue settings, hall displays, notices (calling uses counter:serve)
  'queue:manage',
  // Reports 报表 (DESIGN §7): scheduled reports 定时报表 — read: the list and delivery history; manage: create, edit,
  // delete, send now
  'report:read',
  'report:manage',
] as const;
export type TPermission = (typeof PERMISSIONS)[number];

/** Groups for the permission picker. */
export const PERMISSION_GROUPS: { key: string; permissions: TPermission[] }[] = [
  { key: 'dashboard', permissions: ['dashboard:read'] },
  { key: 'org', permissions: ['org:read', 'org:write'] },
  { key: 'user', permissions: ['user:read', 'user:write'] },
  { key: 'role', permissions: ['role:read', 'role:write'] },
  {
    key: 'customer',
    permissions: ['customer:read', 'customer:write', 'customer:export', 'customer:import', 'customer:erase'],
  },
  {
    key: 'evaluation',
    permissions: ['evaluation:read', 'evaluation:manage', 'evaluation:appeal', 'counter:serve', 'kiosk:manage'],
  },
  { key: 'survey', permissions: ['survey:read', 'survey:write'] },
  { key: 'review', permissions: ['review:read', 'review:reply'] },
  { key: 'followup', permissions: ['followup:read', 'followup:work', 'followup:manage'] },
  { key: 'feedback', permissions: ['feedback:read', 'feedback:label'] },
  { key: 'ticket', permissions: ['ticket:read', 'ticket:work', 'ticket:manage', 'ticket:supervise'] },
  { key: 'value', permissions: ['value:manage'] },
  { key: 'queue', permissions: ['queue:manage'] },
  { key: 'report', permissions: ['report:read', 'report:manage'] },
  { key: 'settings', permissions: ['settings:write'] },
  { key: 'audit', permissions: ['audit:read'] },
  { key: 'privacy', permissions: ['pii:reveal'] },
];

/**
 * Data scope of a role: own records / own unit / own unit and everything below it / whole tenant.
 * A user with several roles gets the widest scope among them.
 */
export const DATA_SCOPES = ['own', 'unit', 'subtree', 'tenant'] as const;
export type TDataScope = (typeof DATA_SCOPES)[number];
export const DATA_SCOPE_RANK: Record<TDataScope, number> = { own: 0, unit: 1, subtree: 2, tenant: 3 };

/** Org unit types: 总部 / 分公司(分行) / 网点(门店/科室) / 部门 / 窗口. */
export const UNIT_TYPES = ['hq', 'branch', 'outlet', 'department', 'counter'] as const;
export type TUnitType = (typeof UNIT_TYPES)[number];

/** Built-in roles (DESIGN §1). Their permission sets are seeded per tenant and may be edited except `admin`. */
export const BUILTIN_ROLES = [
  'admin',
  'manager',
  'supervisor',
  'agent',
  'teller',
  'auditor',
  'supervision',
  'kiosk',
] as const;
export type TBuiltinRole = (typeof BUILTIN_ROLES)[number];

export const BUILTIN_ROLE_DEFAULTS: Record<
  TBuiltinRole,
  { name: string; permissions: TPermission[]; dataScope: TDataScope }
> = {
  admin: { name: '系统管理员', permissions: [...PERMISSIONS], dataScope: 'tenant' },
  manager: {
    name: '经理',
    permissions: [
      'dashboard:read',
      'org:read',
      'user:read',
      'user:write',
      'role:read',
      'audit:read',
      'pii:reveal',
      'customer:read',
      'customer:write',
      'customer:export',
      'customer:import',
      'evaluation:read',
      'evaluation:manage',
      'kiosk:manage',
      'survey:read',
      'survey:write',
      'review:read',
      'review:reply',
      'followup:read',
      'followup:manage',
      // Everything the roles a manager hires hold (teller, agent, supervisor), so that he may grant them: granting
      // is allowed only for roles whose permissions are a subset of one's own (no privilege escalation).
      'counter:serve',
      'evaluation:appeal',
      'followup:work',
      'feedback:read',
      'feedback:label',
      'ticket:read',
      'ticket:work',
      'ticket:manage',
      'value:manage',
      'queue:manage',
      'report:read',
      'report:manage',
    ],
    dataScope: 'subtree',
  },
  supervisor: {
    name: '主管',
    permissions: [
      'dashboard:read',
      'org:read',
      'user:read',
      'customer:read',
      'customer:write',
      'evaluation:read',
      'survey:read',
      'review:read',
      'followup:read',
      'followup:manage',
      'feedback:read',
      'feedback:label',
      'ticket:read',
      'ticket:work',
      'ticket:manage',
    ],
    dataScope: 'subtree',
  },
  agent: {
    name: '回访员/客服',
    permissions: [
      'dashboard:read',
      'customer:read',
      'customer:write',
      'evaluation:read',
      'survey:read',
      'followup:read',
      'followup:work',
      'feedback:read',
      'feedback:label',
      'ticket:read',
      'ticket:work',
    ],
    dataScope: 'own',
  },
  teller: {
    name: '柜员',
    permissions: [
      'dashboard:read',
      'customer:read',
      'evaluation:read',
      'evaluation:appeal',
      'counter:serve',
      // own scope: the tickets about oneself, to answer and appeal them
      'ticket:read',
    ],
    dataScope: 'own',
  },
  auditor: {
    name: '审计',
    permissions: [
      'dashboard:read',
      'org:read',
      'user:read',
      'role:read',
      'audit:read',
      'customer:read',
      'evaluation:read',
      'survey:read',
      'review:read',
      'followup:read',
      'feedback:read',
      'ticket:read',
    ],
    dataScope: 'tenant',
  },
  // 服务监督团队: the top of the complaint escalation chain; decides staff appeals (fault / no fault).
  supervision: {
    name: '服务监督团队',
    permissions: [
      'dashboard:read',
      'org:read',
      'user:read',
      'customer:read',
      'evaluation:read',
      'feedback:read',
      'feedback:label',
      'ticket:read',
      'ticket:work',
      'ticket:supervise',
    ],
    dataScope: 'tenant',
  },
  // The kiosk device role can only post evaluations for its counter (evaluation capture issue); no UI permissions.
  kiosk: { name: '评价器设备', permissions: [], dataScope: 'unit' },
};

export const LOCALES = ['zh-CN', 'en-US'] as const;
export type TLocale = (typeof LOCALES)[number];
