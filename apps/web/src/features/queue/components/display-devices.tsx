import { App, Button, Popconfirm, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { useQueueDisplays, useRevokeDisplay } from '../api.ts';

/** The hall displays paired to an outlet; a manager revokes a lost or moved one (its token stops working at once). */
export function DisplayDevices({ outletId, canEdit }: { outletId: string; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const displays = useQueueDisplays(outletId);
  const revoke = useRevokeDisplay(outletId);
  return (
    <Table
      size="small"
      rowKey="id"
      data-testid="queue-displays"
      loading={displays.isLoading}
      dataSource={displays.data ?? []}
      pagination={false}
      locale={{ emptyText: t('queue.display.none') }}
      columns={[
        { title: t('queue.display.name'), dataIndex: 'name' },
        { title: t('queue.display.pairedAt'), dataIndex: 'createdAt', render: (v: string) => fmtTime(v) },
        {
          title: t('queue.display.state'),
          dataIndex: 'revokedAt',
          render: (v: string | null) =>
            v ? (
              <Tag>{t('queue.display.revokedAt', { at: fmtTime(v) })}</Tag>
            ) : (
              <Tag color="green">{t('queue.display.active')}</Tag>
            ),
        },
        ...(canEdit
          ? [
              {
                title: '',
                key: 'op',
                render: (_: unknown, d: { id: string; revokedAt: string | null }) =>
                  !d.revokedAt && (
                    <Popconfirm
                      title={t('queue.display.revokeConfirm')}
                      onConfirm={() =>
                        revoke
                          .mutateAsync(d.id)
                          .then(() => void message.success(t('queue.display.revoked')))
                          .catch((e: unknown) => void message.error(errorText(e, i18n.language)))
                      }
                    >
                      <Button size="small" danger>
                        {t('queue.display.revoke')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}
