import type { FormInstance } from 'antd';
import { langOf, validationText, type TErrorCode, type TErrorDetail } from '@huifang/shared';
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
  REVIEW_WINDOW_CLOSED: {
    zh: '已超过可评价（追评/解释）的期限',
    en: 'The time allowed for this review, follow-up or reply has passed',
  },
  REVIEW_ALREADY_EXISTS: {
    zh: '已评价过，不能重复提交或修改',
    en: 'Already submitted; it cannot be submitted again or changed',
  },
  USERNAME_TAKEN: { zh: '用户名已存在', en: 'That username is taken' },
  ROLE_KEY_TAKEN: { zh: '角色名称已存在', en: 'A role with this name exists' },
  UNIT_HAS_CHILDREN: { zh: '请先停用下级单位', en: 'Disable the units below it first' },
  UNIT_MOVE_INTO_SELF: { zh: '不能移动到自身或其下级', en: 'A unit cannot move below itself' },
  BUILTIN_ROLE_LOCKED: {
    zh: '内置角色不可删除，系统管理员角色不可修改',
    en: 'Built-in roles cannot be deleted; the admin role cannot change',
  },
  PAIRING_CODE_INVALID: { zh: '配对码无效或已过期', en: 'The pairing code is wrong or has expired' },
  SESSION_ALREADY_OPEN: { zh: '该窗口已有进行中的服务', en: 'This counter already has a service in progress' },
  SESSION_NOT_OPEN: { zh: '该服务未在进行中', en: 'This service is not in progress' },
  SESSION_NOT_ENDED: { zh: '服务尚未结束，暂不能评价', en: 'The service has not ended yet' },
  ALREADY_RATED: { zh: '本次服务已评价', en: 'This service has already been rated' },
  QUEUE_CLOSED: { zh: '当前不在取号时间内', en: 'Numbers cannot be taken at this time' },
  QUEUE_EMPTY: { zh: '当前没有等候的客户', en: 'Nobody is waiting' },
  TICKET_NOT_CALLED: { zh: '该号码不在本窗口办理中', en: 'This number is not being served at this counter' },
  SURVEY_LINK_USED: {
    zh: '此问卷已提交，感谢您的参与',
    en: 'This questionnaire has already been submitted. Thank you for taking part',
  },
  SURVEY_LINK_EXPIRED: { zh: '此问卷链接已过期', en: 'This questionnaire link has expired' },
  SURVEY_NOT_OPEN: { zh: '此问卷暂未开放或已结束', en: 'This questionnaire is not open' },
  WRONG_PASSWORD: { zh: '当前密码不正确', en: 'The current password is wrong' },
  PASSWORD_TOO_WEAK: { zh: '密码强度不足', en: 'The password is too weak' },
  PAYLOAD_TOO_LARGE: { zh: '提交的内容过大', en: 'The request is too large' },
  URI_TOO_LONG: { zh: '请求地址过长', en: 'The request address is too long' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持的内容类型', en: 'Unsupported content type' },
  DUPLICATE_PHONE: { zh: '已有客户使用此电话号码', en: 'Another customer has this phone number' },
  IDEMPOTENCY_KEY_REUSED: {
    zh: '该请求编号已用于另一份内容，请勿重复使用',
    en: 'This Idempotency-Key was already used for a different request',
  },
  TICKET_ACTION_NOT_ALLOWED: {
    zh: '工单当前状态不允许此操作，请刷新后重试',
    en: "This action is not allowed in the ticket's current state; reload and retry",
  },
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

type TName = (string | number)[];
const nameOf = (path: string): TName =>
  path
    .slice(5)
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/** A detail in the user's language, naming the field: validation codes through the one table (shared validation.ts). */
export function detailText(err: ApiError, d: TErrorDetail, label: string, lang: string): string {
  if (err.code !== 'VALIDATION_FAILED' && err.code !== 'DUPLICATE_PHONE') return errorText(err, lang);
  if (d.code) return validationText(d, label, langOf(lang));
  return err.code === 'VALIDATION_FAILED'
    ? validationText({ code: 'custom', message: d.message }, label, langOf(lang))
    : errorText(err, lang);
}

/**
 * Map `details[].path` (e.g. `body.username`) onto antd form fields, each message a translated sentence naming the
 * field (`labelOf` gives the field's label; see applyServerErrors for the form's own labels). For a business error
 * on a field (USERNAME_TAKEN, WRONG_PASSWORD, …) the field shows the code's text.
 */
export function fieldErrors(
  err: unknown,
  lang: string,
  labelOf: (name: TName) => string | undefined = () => undefined,
): { name: TName; errors: string[] }[] {
  if (!(err instanceof ApiError)) return [];
  return err.details
    .filter((d) => d.path.startsWith('body.'))
    .map((d) => {
      const name = nameOf(d.path);
      return { name, errors: [detailText(err, d, labelOf(name) ?? '', lang)] };
    });
}

/** Server errors put on each form, so that they leave when their field changes or the form is sent again. */
const shownOnForm = new WeakMap<FormInstance, TName[]>();

/** The label antd renders for a field of this form (`<label for="<form>_<name>" title="…">`), when it is a string. */
function renderedLabel(form: FormInstance, name: TName): string | undefined {
  const formName = (form as FormInstance & { __INTERNAL__?: { name?: string } }).__INTERNAL__?.name;
  const id = formName ? `${formName}_${name.join('_')}` : name.join('_');
  const el = typeof document === 'undefined' ? null : document.querySelector(`label[for="${CSS.escape(id)}"]`);
  return el?.getAttribute('title') ?? el?.textContent ?? undefined;
}

/**
 * Put a failed request's field errors on the form (translated, naming each field by its label). `rename` maps a
 * request path onto the form field that holds it (e.g. phones → phonesText). Returns false when nothing mapped onto a
 * field — the caller then shows errorText in a message. Errors put here leave with clearServerErrors.
 */
export function applyServerErrors(
  form: FormInstance,
  err: unknown,
  lang: string,
  rename: (name: TName) => TName = (n) => n,
): boolean {
  clearServerErrors(form);
  const labelled = fieldErrors(err, lang, (n) => renderedLabel(form, rename(n))).map((f) => ({
    ...f,
    name: rename(f.name),
  }));
  if (!labelled.length) return false;
  form.setFields(labelled as never);
  shownOnForm.set(form, [...(shownOnForm.get(form) ?? []), ...labelled.map((f) => f.name)]);
  return true;
}

/**
 * Take server errors off the form: all of them (before sending again), or those of the fields a change touched
 * (`changed`: antd's onValuesChange first argument) — a corrected field must not keep the old server error.
 */
export function clearServerErrors(form: FormInstance, changed?: Record<string, unknown>): void {
  const shown = shownOnForm.get(form);
  if (!shown?.length) return;
  const gone = changed ? shown.filter((n) => String(n[0]) in changed) : shown;
  if (!gone.length) return;
  form.setFields(gone.map((name) => ({ name, errors: [] })) as never);
  shownOnForm.set(
    form,
    shown.filter((n) => !gone.includes(n)),
  );
}
