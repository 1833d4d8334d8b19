import { useQueryClient } from '@tanstack/react-query';
import type { TOrgUnit } from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Empty,
  Popconfirm,
  Row,
  Space,
  Tag,
  Tree,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, UNITS_KEY, useUnits } from '../api.ts';
import { MoveUnitModal } from '../components/move-unit-modal.tsx';
import { UnitFormModal } from '../components/unit-form-modal.tsx';
import { UnitUsers } from '../components/unit-users.tsx';

export function OrgPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const canWrite = can(me, 'org:write');
  const [showInactive, setShowInactive] = useState(false);
  const { data: units = [] } = useUnits(showInactive);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [form, setForm] = useState<{ mode: 'create' | 'edit' } | null>(null);
  const [moving, setMoving] = useState<TOrgUnit | null>(null);
  // null until the user folds or unfolds a node: everything open.
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const expandedKeys = expanded ?? units.map((u) => u.id);
  /** Open the node a unit was just created or moved under, so the user sees it. */
  const reveal = (parentId: string | null | undefined) => {
    if (parentId) setExpanded((keys) => (keys && !keys.includes(parentId) ? [...keys, parentId] : keys));
  };
  // Until the user picks one, the top of the visible tree is shown.
  const selected =
    units.find((u) => u.id === selectedId) ?? units.find((u) => !units.some((p) => p.id === u.parentId)) ?? null;
  const parent = selected?.parentId ? units.find((u) => u.id === selected.parentId) : undefined;

  const treeData = useMemo(
    () =>
      buildTree(units, (u) => u.name).map(function render(n): object {
        return {
          key: n.key,
          title: (
            <span style={{ opacity: n.unit.isActive ? 1 : 0.45 }}>
              {n.unit.name} <Tag style={{ marginInlineStart: 4 }}>{t(`unitType.${n.unit.type}`)}</Tag>
              {!n.unit.isActive && <Tag color="default">{t('common.inactive')}</Tag>}
            </span>
          ),
          children: n.children.map(render),
        };
      }),
    [units, t],
  );

  const setActive = async (isActive: boolean) => {
    if (!selected) return;
    try {
      await patch(`/org-units/${selected.id}`, { isActive });
      await qc.invalidateQueries({ queryKey: UNITS_KEY });
      void message.success(t('common.saved'));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Row gutter={16}>
      <Col xs={24} lg={10}>
        <Card
          title={t('org.title')}
          extra={
            <Checkbox checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)}>
              {t('org.showInactive')}
            </Checkbox>
          }
        >
          {units.length > 0 && (
            <Tree
              data-testid="org-tree"
              treeData={treeData as never}
              expandedKeys={expandedKeys}
              onExpand={(keys) => setExpanded(keys as string[])}
              blockNode
              selectedKeys={selected ? [selected.id] : []}
              // Clicking the selected node again keeps it selected (antd would clear the selection).
              onSelect={(_keys, info) => setSelectedId(String(info.node.key))}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card
          title={selected?.name ?? t('org.selectUnit')}
          extra={
            selected &&
            canWrite && (
              <Space wrap>
                <Button type="primary" disabled={!selected.isActive} onClick={() => setForm({ mode: 'create' })}>
                  {t('org.createChild')}
                </Button>
                <Button onClick={() => setForm({ mode: 'edit' })}>{t('org.rename')}</Button>
                <Button disabled={!selected.parentId} onClick={() => setMoving(selected)}>
                  {t('org.move')}
                </Button>
                {selected.isActive ? (
                  <Popconfirm
                    title={t('common.confirmDisable')}
                    onConfirm={() => void setActive(false)}
                    disabled={!selected.parentId}
                  >
                    <Button danger disabled={!selected.parentId}>
                      {t('common.disable')}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button onClick={() => void setActive(true)}>{t('common.enable')}</Button>
                )}
              </Space>
            )
          }
        >
          {selected ? (
            <>
              <Descriptions column={1} bordered size="small">
                <Descriptions.Item label={t('common.type')}>{t(`unitType.${selected.type}`)}</Descriptions.Item>
                <Descriptions.Item label={t('common.code')}>{selected.code ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('org.parent')}>{parent?.name ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('common.status')}>
                  {selected.isActive ? t('common.active') : t('common.inactive')}
                </Descriptions.Item>
                <Descriptions.Item label={t('common.createdAt')}>{fmtTime(selected.createdAt)}</Descriptions.Item>
              </Descriptions>
              {can(me, 'user:read') && <UnitUsers unitId={selected.id} />}
            </>
          ) : (
            <Empty description={<Typography.Text type="secondary">{t('org.selectUnit')}</Typography.Text>} />
          )}
        </Card>
      </Col>
      <UnitFormModal
        open={!!form}
        parent={form?.mode === 'create' ? (selected ?? undefined) : undefined}
        unit={form?.mode === 'edit' ? (selected ?? undefined) : undefined}
        onClose={(saved) => {
          setForm(null);
          if (saved) {
            reveal(saved.parentId);
            setSelectedId(saved.id);
          }
        }}
      />
      <MoveUnitModal
        unit={moving}
        onClose={(parentId) => {
          setMoving(null);
          reveal(parentId);
        }}
      />
    </Row>
  );
}
