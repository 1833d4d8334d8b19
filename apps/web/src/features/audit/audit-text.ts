import type { TFunction } from 'i18next';

/**
 * Audit lines in the reader's language. The server stores one Chinese sentence per event (`summary`, searchable, the
 * record of what happened); in English the line is the action's label plus what it was about — a name, file or
 * count read back from that sentence — so no Chinese wording reaches an English reader (names stay as entered).
 */
type TRule = [RegExp, (m: RegExpMatchArray, t: TFunction) => string];
const subject = (re: RegExp): TRule => [re, (m) => m[1] ?? ''];
const count = (re: RegExp): TRule => [
  re,
  (m, t) => t('auditText.count', { count: Number(m[1]) }) + (m[2] ? ` · ${m[2]}` : ''),
];

const EN_RULES: Record<string, TRule> = {
  'auth.login': subject(/^登录 (.+)$/),
  'auth.login_failed': subject(/^(?:停用账号尝试登录|登录失败) (.+)$/),
  'auth.logout': subject(/^退出 (.+)$/),
  'auth.password_changed': subject(/^修改密码 (.+)$/),
  'user.created': subject(/^新建用户 (.+)$/),
  'user.updated': subject(/^修改用户 (.+)$/),
  'user.password_reset': subject(/^重置密码 (.+)$/),
  'role.created': subject(/^新建角色 (.+)$/),
  'role.updated': subject(/^修改角色 (.+)$/),
  'role.deleted': subject(/^删除角色 (.+)$/),
  'org_unit.created': subject(/^新建单位 (.+)$/),
  'org_unit.updated': subject(/^修改单位 (.+)$/),
  'org_unit.moved': subject(/^移动单位 (\S+)/),
  'customer.created': subject(/^新建客户 (.+)$/),
  'customer.updated': subject(/^修改客户 (.+)$/),
  'customer.erased': subject(/^删除客户 (\S+)/),
  'customer.data_exported': subject(/^导出客户 (\S+) 的/),
  'customer.pii_revealed': subject(/^(?:回访)?查看客户 (\S+) 的/),
  'customer.note_added': subject(/^为客户 (\S+)/),
  'customer.import_started': subject(/^开始导入 (.+)$/),
  'customer.imported': [
    /^导入 (.+?)：新增 (\d+)，更新 (\d+)，错误 (\d+) 行/,
    (m, t) => t('auditText.imported', { file: m[1], inserted: m[2], updated: m[3], errors: m[4] }),
  ],
  'customer.exported': count(/^导出客户 (\d+) 条/),
  'customer.bulk_updated': count(/^批量修改 (\d+) /),
  'customer.merged': count(/^合并 (\d+) 个重复客户到 (\S+)/),
  'evaluation.exported': count(/^导出评价 (\d+) 条/),
  'analysis.exported': count(/^导出统计分析 (\d+) 行/),
  'order_review.exported': count(/^导出订单评价 (\d+) 条/),
  'survey.results_exported': count(/^导出问卷答卷 (\d+) 条：(.+)$/),
  'followup_task.reassigned': count(/^转派 (\d+) 个回访任务给 (.+)$/),
  'custom_field.created': subject(/^新建自定义字段 (.+)$/),
  'service_type.created': subject(/^新建服务类型 (.+)$/),
  'followup_method.created': subject(/^新增回访方式 (.+)$/),
  'followup_plan.created': subject(/^新建回访计划 (.+)$/),
  'followup_plan.updated': subject(/^修改回访计划 (.+)$/),
  'followup_plan.status_changed': subject(/^回访计划 (.+)$/),
  'followup_path.created': subject(/^新建回访路径 (.+)$/),
  'followup_path.updated': subject(/^修改回访路径 (.+)$/),
  'followup_path.status_changed': subject(/^回访路径 (.+)$/),
  'kiosk.paired': subject(/^评价器已配对：(.+)$/),
  'kiosk.pairing_code_created': subject(/^生成评价器配对码：(.+)$/),
  'kiosk.revoked': subject(/^吊销评价器：(.+)$/),
  'kiosk.settings_changed': subject(/^评价器按键设置：(.+)$/),
};
// Surveys: "发布问卷：<title>" and the like — the title after the colon.
for (const a of [
  'survey.created',
  'survey.updated',
  'survey.published',
  'survey.closed',
  'survey.link_created',
  'survey.invitations_sent',
  'survey.response_entered',
])
  EN_RULES[a] = subject(/^[^：]+：(.+)$/);

const isZh = (lang: string) => !lang.startsWith('en');

/** The event's description: the stored sentence in Chinese; in English what it was about, or nothing beyond the title. */
export function auditSummary(e: { action: string; summary: string | null }, t: TFunction, lang: string): string | null {
  if (!e.summary || isZh(lang)) return e.summary;
  const rule = EN_RULES[e.action];
  const m = rule ? e.summary.match(rule[0]) : null;
  return rule && m ? rule[1](m, t) || null : null;
}

/** Who did it: a user's name, or a system actor (import job, review link, shop API, kiosk) in the reader's language. */
export function actorLabel(actorName: string | null, t: TFunction): string {
  if (!actorName || actorName === 'system') return t('auditText.system');
  if (actorName === '买家（评价链接）') return t('auditText.buyerLink');
  const api = actorName.match(/^开放接口：(.+)$/);
  if (api) return t('auditText.shopApi', { name: api[1] });
  const kiosk = actorName.match(/^kiosk (.+)$/);
  if (kiosk) return t('auditText.kiosk', { name: kiosk[1] });
  return actorName;
}
