import { ZQueueNoticesInput, type TQueueNotice, type TQueueSetup } from '@huifang/shared';
import { App, Button, Card, Input, Space, Typography, Upload } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { createDisplayCode, useSaveNotices } from '../api.ts';
import { DisplayDevices } from './display-devices.tsx';

const readAsDataUrl = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });

/** The hall display 叫号屏: pair a TV (one-time code) and edit the notices 宣传信息 it shows between calls. */
export function DisplayCard({ setup, canEdit }: { setup: TQueueSetup; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const save = useSaveNotices(setup.outletId);
  const [notices, setNotices] = useState<TQueueNotice[]>(setup.notices);
  const [code, setCode] = useState<string | null>(null);
  const [deviceName, setDeviceName] = useState('');
  const qc = useQueryClient();
  useEffect(() => setNotices(setup.notices), [setup.notices]);
  const fail = (e: unknown) => void message.error(errorText(e, i18n.language));
  const patch = (i: number, p: Partial<TQueueNotice>) =>
    setNotices((ns) => ns.map((n, j) => (j === i ? { ...n, ...p } : n)));
  const submit = () => {
    const parsed = ZQueueNoticesInput.safeParse({ notices });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      void message.error(`${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
      return;
    }
    save.mutateAsync(parsed.data).then(() => void message.success(t('queue.settings.saved')), fail);
  };
  return (
    <Card size="small" title={t('queue.display.title')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        {canEdit && (
          <Space>
            <Input
              style={{ width: 200 }}
              maxLength={60}
              placeholder={t('queue.display.namePlaceholder')}
              value={deviceName}
              onChange={(e) => setDeviceName(e.target.value)}
            />
            <Button
              data-testid="display-pair-code"
              onClick={() =>
                createDisplayCode(setup.outletId, deviceName.trim() || t('queue.display.title')).then((c) => {
                  setCode(c.code);
                  // The list shows the display once the TV has paired; look again in a while.
                  setTimeout(
                    () => void qc.invalidateQueries({ queryKey: ['queue', 'displays', setup.outletId] }),
                    15_000,
                  );
                }, fail)
              }
            >
              {t('queue.display.newCode')}
            </Button>
            {code && (
              <Typography.Text strong copyable data-testid="display-pair-code-value">
                {code}
              </Typography.Text>
            )}
            <Typography.Text type="secondary">{t('queue.display.codeHint')}</Typography.Text>
          </Space>
        )}
        <DisplayDevices outletId={setup.outletId} canEdit={canEdit} />
        <Typography.Text strong>{t('queue.display.notices')}</Typography.Text>
        {notices.map((n, i) => (
          <Space key={i} align="start">
            <Input.TextArea
              style={{ width: 360 }}
              rows={2}
              value={n.text ?? ''}
              onChange={(e) => patch(i, { text: e.target.value || null })}
            />
            {n.image && <img src={n.image} alt="" style={{ height: 48 }} />}
            <Upload
              accept="image/png,image/jpeg,image/webp,image/gif"
              showUploadList={false}
              beforeUpload={(file) => {
                void readAsDataUrl(file).then((image) => patch(i, { image }), fail);
                return false;
              }}
            >
              <Button size="small">{t('queue.display.image')}</Button>
            </Upload>
            <Button size="small" danger onClick={() => setNotices((ns) => ns.filter((_, j) => j !== i))}>
              {t('queue.display.remove')}
            </Button>
          </Space>
        ))}
        {canEdit && (
          <Space>
            <Button onClick={() => setNotices((ns) => [...ns, { text: '', image: null }])}>
              {t('queue.display.add')}
            </Button>
            <Button type="primary" loading={save.isPending} onClick={submit}>
              {t('common.save')}
            </Button>
          </Space>
        )}
      </Space>
    </Card>
  );
}
