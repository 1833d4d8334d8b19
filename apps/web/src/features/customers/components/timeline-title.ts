import type { TTimelineItem } from '@huifang/shared';
import type { TFunction } from 'i18next';

type TParams = TTimelineItem['params'];
const str = (p: TParams, k: string): string | null => (typeof p[k] === 'string' ? (p[k] as string) : null);
const num = (p: TParams, k: string): number | null => (typeof p[k] === 'number' ? (p[k] as number) : null);

/**
 * A timeline entry's title in the current language, from its kind and params (the codes and data it is made of).
 * zh-CN gives exactly the Chinese `title` the server sends; an entry without params (an older server) shows `title`.
 */
export function timelineTitle(t: TFunction, it: TTimelineItem): string {
  const p = it.params ?? {};
  const code = (group: string, value: string | null) =>
    value === null ? '' : t(`customerTimeline.${group}.${value}`, { defaultValue: value });
  switch (it.kind) {
    case 'service_record':
      return str(p, 'serviceType') ?? it.title;
    case 'transaction': {
      const kind = str(p, 'txKind');
      if (kind === null) return it.title;
      const orderNo = str(p, 'orderNo');
      return `${code('txKind', kind)}${orderNo ? ` ${orderNo}` : ''}`;
    }
    case 'note':
      return t('customerTimeline.note');
    case 'evaluation': {
      const channel = str(p, 'channel');
      if (channel === null) return it.title;
      const score = num(p, 'score');
      const rating = str(p, 'ratingLabel') ?? (score !== null ? `${score}/5` : t('customerTimeline.notRated'));
      return `${t(`customerTimeline.channel.${channel}`, { defaultValue: t('customerTimeline.channel.other') })} · ${rating}`;
    }
    case 'followup_task': {
      const plan = str(p, 'planName');
      return plan === null ? it.title : t('customerTimeline.task', { plan });
    }
    case 'followup_attempt': {
      const outcome = str(p, 'outcome');
      if (outcome === null) return it.title;
      const satisfaction = num(p, 'satisfaction');
      const label = t(`followup.outcomes.${outcome}`, { defaultValue: outcome });
      return (
        t('customerTimeline.attempt', { outcome: label }) +
        (satisfaction !== null ? t('customerTimeline.satisfaction', { n: satisfaction }) : '')
      );
    }
  }
}

/** The detail line: the follow-up task's state in the current language, else the entry's own text (a note, a summary). */
export function timelineDetail(t: TFunction, it: TTimelineItem): string | null {
  const state = it.kind === 'followup_task' ? str(it.params ?? {}, 'state') : null;
  if (state === null) return it.detail;
  return t('customerTimeline.state', { state: t(`followup.states.${state}`, { defaultValue: state }) });
}
