import { DatePicker, TreeSelect } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';

/**
 * The unit (subtree) and due-day filters of the task list — the cut of the follow-up figures (驾驶舱, 统计分析) that
 * link here: tasks whose due window opens on a local day in [from, to]. Values live in the URL.
 */
export function TaskScopeFilters({
  unitId,
  from,
  to,
  set,
}: {
  unitId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Only the keys given change (an undefined value clears one). */
  set: (changes: { unitId?: string | undefined; from?: string | undefined; to?: string | undefined }) => void;
}) {
  const { t } = useTranslation();
  const me = useMe().data;
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  return (
    <>
      {can(me, 'org:read') && (
        <TreeSelect
          placeholder={t('followup.tasks.unit')}
          allowClear
          style={{ width: 180 }}
          treeData={tree}
          treeDefaultExpandAll
          value={unitId}
          onChange={(v?: string) => set({ unitId: v })}
          data-testid="filter-unit"
        />
      )}
      <DatePicker.RangePicker
        placeholder={[t('followup.tasks.dueFrom'), t('followup.tasks.dueTo')]}
        value={from && to ? [dayjs(from), dayjs(to)] : null}
        onChange={(v) =>
          set(
            v?.[0] && v[1]
              ? { from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') }
              : { from: undefined, to: undefined },
          )
        }
        data-testid="filter-due-days"
      />
    </>
  );
}
