import { ZQueueSetupInput, type TQueueSetup, type TQueueTypeInput } from '@huifang/shared';
import { App, Button, Card, Empty, Input, InputNumber, QRCode, Select, Space, Switch, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { useQueueOutlets, useQueueSetup, useSaveQueueSetup } from '../api.ts';
import { DisplayCard } from '../components/display-card.tsx';

type TRow = TQueueTypeInput & { key: string };
const toRows = (s: TQueueSetup): TRow[] =>
  s.types.map((x) => ({
    key: x.id,
    id: x.id,
    name: x.name,
    prefix: x.prefix,
    isActive: x.isActive,
    counterIds: x.counterIds,
  }));

/** 排队叫号设置 (the outlet manager): business types with prefixes, counters ↔ types, hours, the priority rule, links. */
export function QueueSettingsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const canEdit = can(useMe().data, 'queue:manage');
  const outlets = useQueueOutlets();
  const [params] = useSearchParams();
  const [outletId, setOutletId] = useState<string | undefined>(params.get('outlet') ?? undefined);
  const setup = useQueueSetup(outletId);
  const save = useSaveQueueSetup(outletId);
  const [opensAt, setOpensAt] = useState('09:00');
  const [closesAt, setClosesAt] = useState('17:00');
  const [vipTiers, setVipTiers] = useState<string[]>([]);
  const [maxVipInRow, setMaxVipInRow] = useState(3);
  const [alertQueueLength, setAlertQueueLength] = useState<number | null>(null);
  const [alertWaitMinutes, setAlertWaitMinutes] = useState<number | null>(null);
  const [rows, setRows] = useState<TRow[]>([]);
  useEffect(() => {
    if (!outletId && outlets.data?.items[0]) setOutletId(outlets.data.items[0].id);
  }, [outlets.data, outletId]);
  useEffect(() => {
    const s = setup.data;
    if (!s) return;
    setOpensAt(s.opensAt ?? '09:00');
    setClosesAt(s.closesAt ?? '17:00');
    setVipTiers(s.vipTiers);
    setMaxVipInRow(s.maxVipInRow);
    setAlertQueueLength(s.alertQueueLength);
    setAlertWaitMinutes(s.alertWaitMinutes);
    setRows(
      s.types.length ? toRows(s) : [{ key: 'new-0', name: '个人业务', prefix: 'A', isActive: true, counterIds: [] }],
    );
  }, [setup.data]);
  const patchRow = (key: string, p: Partial<TRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...p } : r)));

  const submit = () => {
    const parsed = ZQueueSetupInput.safeParse({
      opensAt,
      closesAt,
      vipTiers,
      maxVipInRow,
      alertQueueLength,
      alertWaitMinutes,
      types: rows.map(({ key: _key, ...r }) => r),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      void message.error(`${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
      return;
    }
    save.mutateAsync(parsed.data).then(
      () => void message.success(t('queue.settings.saved')),
      (e: unknown) => void message.error(errorText(e, i18n.language)),
    );
  };
  const s = setup.data;
  const link = (path: string) => (s?.linkToken ? `${window.location.origin}/queue/${path}/${s.linkToken}` : null);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 1000 }}>
      <Card title={t('queue.settings.title')}>
        <Select
          data-testid="queue-outlet"
          style={{ width: 260 }}
          value={outletId}
          onChange={setOutletId}
          options={(outlets.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))}
        />
      </Card>
      {!s ? (
        <Card loading={setup.isLoading}>
          <Empty />
        </Card>
      ) : (
        <>
          <Card size="small" title={t('queue.settings.hours')}>
            <Space wrap>
              <Input
                data-testid="queue-opens"
                style={{ width: 90 }}
                value={opensAt}
                onChange={(e) => setOpensAt(e.target.value)}
              />
              —
              <Input
                data-testid="queue-closes"
                style={{ width: 90 }}
                value={closesAt}
                onChange={(e) => setClosesAt(e.target.value)}
              />
              <Typography.Text type="secondary">{t('queue.settings.vipTiers')}</Typography.Text>
              <Select
                mode="tags"
                style={{ minWidth: 200 }}
                value={vipTiers}
                onChange={setVipTiers}
                placeholder="VIP"
                data-testid="queue-vip-tiers"
              />
              <Typography.Text type="secondary">{t('queue.settings.maxVipInRow')}</Typography.Text>
              <InputNumber min={1} max={20} value={maxVipInRow} onChange={(v) => setMaxVipInRow(v ?? 1)} />
              <Typography.Text type="secondary">{t('queue.settings.alertLength')}</Typography.Text>
              <InputNumber
                min={1}
                max={1000}
                value={alertQueueLength}
                onChange={(v) => setAlertQueueLength(v ?? null)}
              />
              <Typography.Text type="secondary">{t('queue.settings.alertWait')}</Typography.Text>
              <InputNumber
                min={1}
                max={600}
                value={alertWaitMinutes}
                onChange={(v) => setAlertWaitMinutes(v ?? null)}
              />
            </Space>
          </Card>
          <Card
            size="small"
            title={t('queue.settings.types')}
            extra={
              <Button
                onClick={() =>
                  setRows((rs) => [
                    ...rs,
                    { key: `new-${Date.now()}`, name: '', prefix: '', isActive: true, counterIds: [] },
                  ])
                }
              >
                {t('queue.settings.addType')}
              </Button>
            }
          >
            <Table<TRow>
              rowKey="key"
              size="small"
              pagination={false}
              dataSource={rows}
              columns={[
                {
                  title: t('queue.settings.prefix'),
                  width: 90,
                  render: (_, r) => (
                    <Input
                      value={r.prefix}
                      maxLength={2}
                      onChange={(e) => patchRow(r.key, { prefix: e.target.value.toUpperCase() })}
                    />
                  ),
                },
                {
                  title: t('queue.settings.typeName'),
                  render: (_, r) => (
                    <Input value={r.name} onChange={(e) => patchRow(r.key, { name: e.target.value })} />
                  ),
                },
                {
                  title: t('queue.settings.counters'),
                  render: (_, r) => (
                    <Select
                      mode="multiple"
                      style={{ minWidth: 220 }}
                      value={r.counterIds}
                      onChange={(v) => patchRow(r.key, { counterIds: v })}
                      options={s.counters.map((c) => ({ value: c.id, label: c.name }))}
                    />
                  ),
                },
                {
                  title: t('queue.settings.active'),
                  width: 80,
                  render: (_, r) => <Switch checked={r.isActive} onChange={(v) => patchRow(r.key, { isActive: v })} />,
                },
              ]}
            />
            {canEdit && (
              <Button
                type="primary"
                style={{ marginTop: 12 }}
                loading={save.isPending}
                onClick={submit}
                data-testid="queue-save"
              >
                {t('common.save')}
              </Button>
            )}
          </Card>
          {s.linkToken && <DisplayCard setup={s} canEdit={canEdit} />}
          {link('take') && (
            <Card size="small" title={t('queue.settings.links')}>
              <Space size="large" align="start" wrap>
                <Space direction="vertical">
                  <Typography.Text strong>{t('queue.settings.screenLink')}</Typography.Text>
                  <Typography.Link href={link('take')!} target="_blank" data-testid="queue-screen-link" copyable>
                    {link('take')}
                  </Typography.Link>
                </Space>
                <Space direction="vertical">
                  <Typography.Text strong>{t('queue.settings.phoneLink')}</Typography.Text>
                  <QRCode value={link('m')!} />
                  <Typography.Link href={link('m')!} target="_blank" data-testid="queue-phone-link">
                    {link('m')}
                  </Typography.Link>
                </Space>
              </Space>
            </Card>
          )}
        </>
      )}
    </Space>
  );
}
