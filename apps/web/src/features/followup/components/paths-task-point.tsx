import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TPathPoint } from '@huifang/shared';
import { Alert, App, Button, Input, Space, Typography } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { FOLLOWUP_KEY, useMethods } from '../api.ts';

type TTaskPathPoint = {
  templateId: string;
  templateName: string;
  version: number;
  no: number;
  point: TPathPoint;
} | null;

/** On the workbench: the path time point a task came from (method, priority, its script), and "skip" when it may be skipped. */
export function PathPointCard(props: { taskId: string; isOpen: boolean }) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const methods = useMethods().data ?? [];
  const pp = useQuery({
    queryKey: [...FOLLOWUP_KEY, 'path-point', props.taskId],
    queryFn: () => get<TTaskPathPoint>(`/followup/path-tasks/${props.taskId}`),
  });
  const reason = useRef('');
  const p = pp.data;
  if (!p) return null;
  const skip = () => {
    reason.current = '';
    modal.confirm({
      title: t('paths.skip'),
      content: (
        <Input.TextArea
          data-testid="path-skip-reason"
          placeholder={t('paths.skipReason')}
          onChange={(e) => (reason.current = e.target.value)}
          rows={2}
        />
      ),
      okButtonProps: { 'data-testid': 'path-skip-ok' } as never,
      onOk: async () => {
        try {
          await post(`/followup/path-tasks/${props.taskId}/skip`, { reason: reason.current });
          void message.success(t('paths.skipped'));
          await qc.invalidateQueries({ queryKey: FOLLOWUP_KEY });
        } catch (e) {
          void message.error(errorText(e, i18n.language));
          throw e;
        }
      },
    });
  };
  return (
    <Alert
      type="info"
      data-testid="path-point"
      message={t('paths.pathPoint', { name: p.templateName, v: p.version, no: p.no, label: p.point.label })}
      description={
        <Space direction="vertical" size={4}>
          <span>
            {t('paths.point.method')}: {methods.find((m) => m.code === p.point.method)?.label ?? p.point.method} ·{' '}
            {t('paths.point.priority')}: {p.point.priority}
          </span>
          {p.point.script && <Typography.Text>{p.point.script}</Typography.Text>}
        </Space>
      }
      action={
        p.point.skippable && props.isOpen ? (
          <Button size="small" data-testid="path-skip" onClick={skip}>
            {t('paths.skip')}
          </Button>
        ) : undefined
      }
    />
  );
}
