import { useQueryClient } from '@tanstack/react-query';
import type { TOrgUnit } from '@huifang/shared';
import { App, Form, Modal, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { buildTree, UNITS_KEY, useUnits, type TUnitNode } from '../api.ts';

/** Move a unit under another parent; the unit itself and its descendants are not offered. */
export function MoveUnitModal(props: { unit: TOrgUnit | null; onClose: (movedUnder?: string) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const units = useUnits().data ?? [];
  const [target, setTarget] = useState<string | undefined>();
  const tree = useMemo(() => {
    const mark = (ns: TUnitNode[], inside: boolean): TUnitNode[] =>
      ns.map((n) => {
        const isSelf = inside || n.key === props.unit?.id;
        return { ...n, disabled: isSelf, children: mark(n.children, isSelf) };
      });
    return mark(buildTree(units), false);
  }, [units, props.unit]);

  const onOk = async () => {
    if (!props.unit || !target) return;
    try {
      await post(`/org-units/${props.unit.id}/move`, { parentId: target });
      await qc.invalidateQueries({ queryKey: UNITS_KEY });
      void message.success(t('common.saved'));
      props.onClose(target);
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Modal
      open={!!props.unit}
      title={`${t('org.move')} · ${props.unit?.name ?? ''}`}
      onOk={() => void onOk()}
      onCancel={() => props.onClose()}
      okButtonProps={{ disabled: !target }}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('org.moveTo')}>
          <TreeSelect
            data-testid="move-target"
            treeData={tree}
            value={target}
            onChange={setTarget}
            treeDefaultExpandAll
            showSearch
            treeNodeFilterProp="title"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
