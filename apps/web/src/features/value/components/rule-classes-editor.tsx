import { ZCondition, type TRuleClasses } from '@huifang/shared';
import { Button, Input, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

type TClass = TRuleClasses['classes'][number];

/**
 * 客户分类: classes in order (the first match wins), each a name and a condition written as JSON, e.g.
 * {"all":[{"metric":"salesWan","op":"gt","value":10},{"metric":"collectionRate","op":"lt","value":95}]}.
 * A condition that does not parse keeps the last good one and is flagged.
 */
export function RuleClassesEditor(props: { value: TRuleClasses; onChange: (m: TRuleClasses) => void }) {
  const { t } = useTranslation();
  const rows = props.value.classes;
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const set = (i: number, patch: Partial<TClass>) =>
    props.onChange({ classes: rows.map((r, n) => (n === i ? { ...r, ...patch } : r)) });
  const move = (i: number, d: -1 | 1) => {
    const next = [...rows];
    const [x] = next.splice(i, 1);
    next.splice(i + d, 0, x!);
    setDrafts({});
    props.onChange({ classes: next });
  };
  return (
    <>
      <Table<TClass>
        rowKey={(_r, i) => String(i)}
        size="small"
        pagination={false}
        dataSource={rows}
        columns={[
          { title: '#', width: 40, render: (_v, _r, i) => i + 1 },
          {
            title: t('value.classLabel'),
            width: 160,
            render: (_v, r, i) => <Input value={r.label} onChange={(e) => set(i, { label: e.target.value })} />,
          },
          {
            title: t('value.condition'),
            render: (_v, r, i) => {
              const text = drafts[i] ?? JSON.stringify(r.when);
              const isBad = drafts[i] !== undefined && !parses(drafts[i]);
              return (
                <>
                  <Input.TextArea
                    autoSize={{ minRows: 1, maxRows: 4 }}
                    value={text}
                    status={isBad ? 'error' : undefined}
                    style={{ fontFamily: 'monospace', fontSize: 12 }}
                    onChange={(e) => {
                      const v = e.target.value;
                      setDrafts((d) => ({ ...d, [i]: v }));
                      const parsed = tryParse(v);
                      if (parsed) set(i, { when: parsed });
                    }}
                  />
                  {isBad && <Typography.Text type="danger">{t('value.conditionBad')}</Typography.Text>}
                </>
              );
            },
          },
          {
            width: 150,
            render: (_v, _r, i) => (
              <Space size={0}>
                <Button type="link" disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </Button>
                <Button type="link" disabled={i === rows.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </Button>
                <Button
                  type="link"
                  danger
                  disabled={rows.length <= 1}
                  onClick={() => {
                    setDrafts({});
                    props.onChange({ classes: rows.filter((_x, n) => n !== i) });
                  }}
                >
                  {t('common.delete')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Button
        style={{ marginTop: 8 }}
        onClick={() =>
          props.onChange({
            classes: [
              ...rows,
              { key: `class_${rows.length + 1}`, label: '', when: { metric: 'salesWan', op: 'gt', value: 0 } },
            ],
          })
        }
      >
        {t('value.addClass')}
      </Button>
    </>
  );
}

function tryParse(text: string) {
  try {
    const r = ZCondition.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
const parses = (text: string) => tryParse(text) !== null;
