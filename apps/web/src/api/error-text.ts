import type { TErrorCode } from '@huifang/shared';
import { ApiError } from './client.ts';

/** Every error code the server can send, in both languages. Exhaustive: a new code fails the typecheck here. */
export const ERROR_TEXT: Record<TErrorCode, { zh: string; en: string }> = {
  VALIDATION_FAILED: { zh: '输入有误，请检查标红的字段', en: 'Please check the highlighted fields' },
  INVALID_CREDENTIALS: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  UNAUTHENTICATED: { zh: '登录已过期，请重新登录', en: 'Your session has ended; please log in again' },
  ACCOUNT_DISABLED: { zh: '该账号已停用，请联系管理员', en: 'This account is disabled; contact your administrator' },
  FORBIDDEN: { zh: '没有权限执行此操作', en: 'You do not have permission to do this' },
  CSRF_FAILED: { zh: '页面已过期，请刷新后重试', en: 'The page is out of date; reload and try again' },
  NOT_FOUND: { zh: '记录不存在或无权查看', en: 'Not found, or not visible to you' },
  CONFLICT: { zh: '与现有数据冲突', en: 'Conflicts with existing data' },
  REVIEW_WINDOW_CLOSED: { zh: '已超过可评价（追评/解释）的期限', en: 'The time allowed for this review, follow-up or reply has passed' },
  REVIEW_ALREADY_EXISTS: { zh: '已评价过，不能重复提交或修改', en: 'Already submitted; it cannot be submitted again or changed' },
  USERNAME_TAKEN: { zh: '用户名已存在', en: 'That username is taken' },
  ROLE_KEY_TAKEN: { zh: '角色名称已存在', en: 'A role with this name exists' },
  UNIT_HAS_CHILDREN: { zh: '请先停用下级单位', en: 'Disable the units below it first' },
  UNIT_MOVE_INTO_SELF: { zh: '不能移动到自身或其下级', en: 'A unit cannot move below itself' },
  BUILTIN_ROLE_LOCKED: { zh: '内置角色不可删除，系统管理员角色不可修改', en: 'Built-in roles cannot be deleted; the admin role cannot change' },
  PAIRING_CODE_INVALID: { zh: '配对码无效或已过期', en: 'The pairing code is wrong or has expired' },
  SESSION_ALREADY_OPEN: { zh: '该窗口已有进行中的服务', en: 'This counter already has a service in progress' },
  SESSION_NOT_OPEN: { zh: '该服务未在进行中', en: 'This service is not in progress' },
  SESSION_NOT_ENDED: { zh: '服务尚未结束，暂不能评价', en: 'The service has not ended yet' },
  ALREADY_RATED: { zh: '本次服务已评价', en: 'This service has already been rated' },
  SURVEY_LINK_USED: { zh: '此问卷已提交，感谢您的参与', en: 'This questionnaire has already been submitted. Thank you for taking part' },
  SURVEY_LINK_EXPIRED: { zh: '此问卷链接已过期', en: 'This questionnaire link has expired' },
  SURVEY_NOT_OPEN: { zh: '此问卷暂未开放或已结束', en: 'This questionnaire is not open' },
  WRONG_PASSWORD: { zh: '当前密码不正确', en: 'The current password is wrong' },
  PASSWORD_TOO_WEAK: { zh: '密码强度不足', en: 'The password is too weak' },
  PAYLOAD_TOO_LARGE: { zh: '提交的内容过大', en: 'The request is too large' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持的内容类型', en: 'Unsupported content type' },
  IDEMPOTENCY_KEY_REUSED: { zh: '该请求编号已用于另一份内容，请勿重复使用', en: 'This Idempotency-Key was already used for a different request' },
  RATE_LIMITED: { zh: '尝试过于频繁，请稍后再试', en: 'Too many attempts; try again later' },
  INTERNAL: { zh: '服务器出错了，请稍后重试', en: 'Something went wrong on the server; try again' },
  DB_UNAVAILABLE: { zh: '数据库暂时不可用，请稍后重试', en: 'The database is briefly unavailable; try again shortly' },
};

export function errorText(err: unknown, lang: string): string {
  const isZh = !lang.startsWith('en');
  if (err instanceof ApiError) {
    const t = ERROR_TEXT[err.code] ?? ERROR_TEXT.INTERNAL;
    const base = isZh ? t.zh : t.en;
    if (err.code === 'RATE_LIMITED' && err.retryAfter) return `${base}${retryText(err.retryAfter, isZh)}`;
    return base;
  }
  return isZh ? '网络错误，请检查连接' : 'Network error; check your connection';
}

function retryText(seconds: number, isZh: boolean): string {
  if (seconds < 60) return isZh ? `（${seconds} 秒后重试）` : ` (retry in ${seconds} s)`;
  const min = Math.ceil(seconds / 60);
  return isZh ? `（${min} 分钟后重试）` : ` (retry in ${min} min)`;
}

/**
 * Map `details[].path` (e.g. `body.username`) onto antd form fields. Validation messages come from the shared Zod
 * schemas; for a business error on a field (USERNAME_TAKEN, WRONG_PASSWORD, …) the field shows this table's text in
 * the user's language when `lang` is given.
 */
export function fieldErrors(err: unknown, lang?: string): { name: (string | number)[]; errors: string[] }[] {
  if (!(err instanceof ApiError)) return [];
  const text = lang && err.code !== 'VALIDATION_FAILED' ? errorText(err, lang) : null;
  return err.details
    .filter((d) => d.path.startsWith('body.'))
    .map((d) => ({ name: d.path.slice(5).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), errors: [text ?? d.message] }));
}
