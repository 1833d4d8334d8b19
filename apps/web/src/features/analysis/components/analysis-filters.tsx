import { useQuery } from '@tanstack/react-query';
import {
  ANALYSIS_GRANULARITIES,
  ANALYSIS_GROUPS,
  ANALYSIS_MAX_HOUR_DAYS,
  ANALYSIS_PRESETS,
  EVALUATION_CHANNELS,
  type TPage,
  type TSurvey,
  type TSurveyDetail,
  type TUser,
} from '@huifang/shared';
import { Button, DatePicker, Input, Segmented, Select, Space, TreeSelect } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits, type TUnitNode } from '../../org/api.ts';
import type { TAnalysisParams } from '../api.ts';
import { NOT_WITH_VALUE_CUT, VALUE_GROUPS, ValueFilters, valueCutAllowed } from './value-filters.tsx';

const SHORT_PRESETS = ['today', 'yesterday', 'last7Days', 'thisWeek', 'lastWeek'];
/** Whether the range fits an hour-by-hour cut (a custom range of at most ANALYSIS_MAX_HOUR_DAYS days). */
const fitsHours = (p: TAnalysisParams) =>
  p.from && p.to
    ? dayjs(p.to).diff(dayjs(p.from), 'day') < ANALYSIS_MAX_HOUR_DAYS
    : SHORT_PRESETS.includes(p.preset ?? 'thisMonth');

const countersOnly = (nodes: TUnitNode[]): TUnitNode[] =>
  nodes.map((n) => ({ ...n, disabled: n.unit.type !== 'counter', children: countersOnly(n.children) }));

/** The analysis filter bar; every value lives in the URL (`set` writes it there). */
export function AnalysisFilters({
  params,
  set,
  reset,
}: {
  params: TAnalysisParams;
  set: (changes: TAnalysisParams) => void;
  reset: () => void;
}) {
  const { t } = useTranslation();
  const me = useMe().data;
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const counterTree = useMemo(() => countersOnly(tree), [tree]);
  // The customer-value cut counts units (the server refuses it for an `own` scope) by the current value model.
  const valueCut = valueCutAllowed(me);
  const staff = useQuery({
    queryKey: ['analysis-staff', params.unitId],
    enabled: can(me, 'user:read'),
    queryFn: () =>
      get<TPage<TUser>>(`/users${qs({ unitId: params.unitId, pageSize: 100, sort: 'displayName' })}`).then(
        (p) => p.items,
      ),
  });
  const surveys = useQuery({
    queryKey: ['analysis-surveys'],
    enabled: can(me, 'survey:read'),
    queryFn: () => get<TPage<TSurvey>>(`/surveys${qs({ page: 1, pageSize: 100 })}`).then((p) => p.items),
  });
  const survey = useQuery({
    queryKey: ['analysis-survey', params.surveyId],
    enabled: !!params.surveyId,
    queryFn: () => get<TSurveyDetail>(`/surveys/${params.surveyId}`),
  });
  const dims = survey.data?.definition.dimensions ?? [];
  const range = params.from && params.to ? ([dayjs(params.from), dayjs(params.to)] as const) : null;
  return (
    <Space wrap style={{ marginBottom: 16 }} data-testid="analysis-filters">
      {can(me, 'org:read') && (
        <TreeSelect
          placeholder={t('analysis.unit')}
          allowClear
          style={{ width: 180 }}
          treeData={tree}
          treeDefaultExpandAll
          value={params.unitId}
          onChange={(v?: string) => set({ unitId: v, staffId: undefined, counterId: undefined })}
          data-testid="analysis-unit"
        />
      )}
      {can(me, 'user:read') && (
        <Select
          placeholder={t('analysis.staff')}
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 140 }}
          value={params.staffId}
          onChange={(v?: string) => set({ staffId: v })}
          options={(staff.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
        />
      )}
      {can(me, 'org:read') && (
        <TreeSelect
          placeholder={t('analysis.counter')}
          allowClear
          style={{ width: 170 }}
          treeData={counterTree}
          treeDefaultExpandAll
          value={params.counterId}
          onChange={(v?: string) => set({ counterId: v })}
        />
      )}
      <Select
        placeholder={t('analysis.channel')}
        allowClear
        style={{ width: 130 }}
        value={params.channel}
        onChange={(v?: string) => set({ channel: v })}
        options={EVALUATION_CHANNELS.map((c) => ({ value: c, label: t(`evaluation.channels.${c}`) }))}
      />
      <Input.Search
        placeholder={t('analysis.businessType')}
        allowClear
        style={{ width: 150 }}
        defaultValue={params.businessType}
        onSearch={(v) => set({ businessType: v.trim() || undefined })}
      />
      {can(me, 'survey:read') && (
        <Select
          placeholder={t('analysis.survey')}
          allowClear
          style={{ width: 170 }}
          value={params.surveyId}
          onChange={(v?: string) => set({ surveyId: v, dimension: undefined })}
          options={(surveys.data ?? []).map((s) => ({ value: s.id, label: s.title }))}
        />
      )}
      {params.surveyId && (
        <Select
          placeholder={t('analysis.dimension')}
          allowClear
          style={{ width: 140 }}
          value={params.dimension}
          onChange={(v?: string) => set({ dimension: v })}
          options={dims.map((d) => ({ value: d.key, label: d.name }))}
        />
      )}
      {valueCut && <ValueFilters params={params} set={set} />}
      <Segmented
        data-testid="analysis-granularity"
        value={params.granularity ?? 'month'}
        onChange={(v) =>
          // An hour-by-hour cut spans at most ANALYSIS_MAX_HOUR_DAYS: a longer range becomes the last 7 days.
          set(
            v === 'hour' && !fitsHours(params)
              ? { granularity: 'hour', preset: 'last7Days', from: undefined, to: undefined }
              : { granularity: String(v) },
          )
        }
        options={ANALYSIS_GRANULARITIES.map((g) => ({
          value: g,
          label: g === 'hour' ? t('analysis.hourGranularity') : t(`cockpit.period.${g}`),
        }))}
      />
      <Select
        style={{ width: 120 }}
        value={params.from ? undefined : (params.preset ?? 'thisMonth')}
        placeholder={t('analysis.preset')}
        onChange={(v: string) => set({ preset: v, from: undefined, to: undefined })}
        options={ANALYSIS_PRESETS.map((p) => ({ value: p, label: t(`analysis.presets.${p}`) }))}
        data-testid="analysis-preset"
      />
      <DatePicker.RangePicker
        value={range ? [range[0], range[1]] : null}
        onChange={(v) =>
          set(
            v?.[0] && v[1]
              ? { from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') }
              : { from: undefined, to: undefined },
          )
        }
        data-testid="analysis-range"
      />
      <Select
        style={{ width: 180 }}
        value={params.groupBy ?? 'unit'}
        onChange={(v: string) => set({ groupBy: v, ...(VALUE_GROUPS.includes(v) ? NOT_WITH_VALUE_CUT : {}) })}
        options={ANALYSIS_GROUPS.filter(
          (g) => (g !== 'dimension' || params.surveyId) && (valueCut || !VALUE_GROUPS.includes(g)),
        ).map((g) => ({
          value: g,
          label: `${t('analysis.groupBy')}: ${t(`analysis.groups.${g}`)}`,
        }))}
        data-testid="analysis-group"
      />
      <Button onClick={reset}>{t('analysis.reset')}</Button>
    </Space>
  );
}
