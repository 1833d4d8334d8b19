import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  DEFAULT_KIOSK_KEYS,
  ZKioskSettingsInput,
  type TKioskDevice,
  type TKioskKey,
  type TPairingCode,
} from '@huifang/shared';
import {
  App,
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { createPairingCode, useDevices, useKioskSettings, useKioskUnits, useRevoke, useSaveSettings } from '../api.ts';

/** 评价器管理: pairing codes, paired devices (last seen, revoke), and each outlet's keys and timeout. */
export function KioskAdminPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const canManage = can(me, 'kiosk:manage');
  const units = useKioskUnits().data?.outlets ?? [];
  const devices = useDevices();
  const revoke = useRevoke();
  const [counterId, setCounterId] = useState<string>();
  const [deviceName, setDeviceName] = useState('');
  const [code, setCode] = useState<TPairingCode | null>(null);

  const items = devices.data?.items ?? [];
  /** Active devices per counter: one tablet normally serves a counter; more is flagged and offered for revoking. */
  const activeOn = (id: string | undefined) => items.filter((d) => d.counterId === id && !d.revokedAt);
  const onCounter = activeOn(counterId);
  const revokeOne = (id: string) =>
    revoke.mutateAsync(id).catch((e: unknown) => void message.error(errorText(e, i18n.language)));

  const makeCode = async () => {
    if (!counterId) return;
    try {
      setCode(await createPairingCode({ counterId, deviceName: deviceName.trim() || t('kioskAdmin.defaultName') }));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {canManage && (
        <Card title={t('kioskAdmin.pairTitle')}>
          <Space wrap>
            <Select
              data-testid="pair-counter"
              style={{ width: 260 }}
              placeholder={t('kioskAdmin.counter')}
              value={counterId}
              onChange={setCounterId}
              showSearch
              optionFilterProp="label"
              options={units.map((o) => ({
                label: o.name,
                options: o.counters.map((c) => ({ value: c.id, label: `${o.name} ${c.name}` })),
              }))}
            />
            <Input
              style={{ width: 200 }}
              placeholder={t('kioskAdmin.deviceName')}
              value={deviceName}
              onChange={(e) => setDeviceName(e.target.value)}
              maxLength={40}
            />
            <Button type="primary" data-testid="make-code" disabled={!counterId} onClick={() => void makeCode()}>
              {t('kioskAdmin.makeCode')}
            </Button>
          </Space>
          {onCounter.length > 0 && (
            <Alert
              style={{ marginTop: 16 }}
              type="warning"
              showIcon
              data-testid="pair-active-devices"
              message={t('kioskAdmin.activeOnCounter', { n: onCounter.length })}
              description={
                <Space direction="vertical" size={4}>
                  {onCounter.map((d) => (
                    <Space key={d.id} wrap>
                      <Typography.Text strong>{d.name}</Typography.Text>
                      <Typography.Text type="secondary">
                        {t('kioskAdmin.pairedAt')} {fmtTime(d.createdAt)} · {t('kioskAdmin.lastSeen')}{' '}
                        {d.lastSeenAt ? fmtTime(d.lastSeenAt) : '—'}
                      </Typography.Text>
                      <Popconfirm title={t('kioskAdmin.revokeConfirm')} onConfirm={() => revokeOne(d.id)}>
                        <Button size="small" danger data-testid="pair-revoke-old">
                          {t('kioskAdmin.revoke')}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ))}
                </Space>
              }
            />
          )}
          {code && (
            <Alert
              style={{ marginTop: 16 }}
              type="success"
              message={
                <span>
                  {t('kioskAdmin.codeIs')}{' '}
                  <Typography.Text
                    data-testid="pairing-code"
                    copyable
                    strong
                    style={{ fontSize: 24, letterSpacing: 4 }}
                  >
                    {code.code}
                  </Typography.Text>
                </span>
              }
              description={t('kioskAdmin.codeHint', { time: fmtTime(code.expiresAt) })}
            />
          )}
        </Card>
      )}
      <Card title={t('kioskAdmin.devices')}>
        <Table<TKioskDevice>
          rowKey="id"
          size="small"
          loading={devices.isLoading}
          dataSource={items}
          pagination={false}
          columns={[
            { title: t('kioskAdmin.deviceName'), dataIndex: 'name' },
            { title: t('kioskAdmin.counter'), render: (_, d) => `${d.outletName} ${d.counterName}` },
            { title: t('kioskAdmin.pairedAt'), render: (_, d) => fmtTime(d.createdAt) },
            { title: t('kioskAdmin.lastSeen'), render: (_, d) => (d.lastSeenAt ? fmtTime(d.lastSeenAt) : '—') },
            {
              title: t('kioskAdmin.status'),
              render: (_, d) =>
                d.revokedAt ? (
                  <Tag>{t('kioskAdmin.revoked')}</Tag>
                ) : (
                  <Space size={4} wrap>
                    <Tag color="green">{t('kioskAdmin.active')}</Tag>
                    {activeOn(d.counterId).length > 1 && (
                      <Tag color="orange" data-testid="device-shared-counter">
                        {t('kioskAdmin.sharedCounter', { n: activeOn(d.counterId).length })}
                      </Tag>
                    )}
                  </Space>
                ),
            },
            {
              title: '',
              render: (_, d) =>
                canManage && !d.revokedAt ? (
                  <Popconfirm title={t('kioskAdmin.revokeConfirm')} onConfirm={() => revokeOne(d.id)}>
                    <Button size="small" danger>
                      {t('kioskAdmin.revoke')}
                    </Button>
                  </Popconfirm>
                ) : null,
            },
          ]}
        />
      </Card>
      <OutletSettings outlets={units.map((o) => ({ id: o.id, name: o.name }))} canManage={canManage} />
    </Space>
  );
}

function OutletSettings({ outlets, canManage }: { outlets: { id: string; name: string }[]; canManage: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [outletId, setOutletId] = useState<string>();
  const settings = useKioskSettings(outletId);
  const save = useSaveSettings(outletId);
  const [keys, setKeys] = useState<TKioskKey[]>(DEFAULT_KIOSK_KEYS.map((k) => ({ ...k })));
  const [timeout, setTimeoutSeconds] = useState(30);
  useEffect(() => {
    if (settings.data) {
      setKeys(settings.data.keys);
      setTimeoutSeconds(settings.data.timeoutSeconds);
    }
  }, [settings.data]);
  useEffect(() => {
    if (!outletId && outlets[0]) setOutletId(outlets[0].id);
  }, [outletId, outlets]);
  const parsed = ZKioskSettingsInput.safeParse({ keys, timeoutSeconds: timeout });

  return (
    <Card
      title={t('kioskAdmin.settings')}
      extra={
        <Select
          style={{ width: 200 }}
          value={outletId}
          onChange={setOutletId}
          options={outlets.map((o) => ({ value: o.id, label: o.name }))}
        />
      }
    >
      <Form layout="vertical" disabled={!canManage}>
        {keys.map((k, i) => (
          <Row gutter={8} key={i} align="middle" style={{ marginBottom: 8 }}>
            <Col flex="40px">
              <Tag>{i + 1}</Tag>
            </Col>
            <Col flex="200px">
              <Input
                value={k.label}
                maxLength={8}
                onChange={(e) => setKeys(keys.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)))}
              />
            </Col>
            <Col flex="140px">
              <InputNumber
                addonBefore={t('kioskAdmin.score')}
                min={1}
                max={5}
                value={k.score}
                onChange={(v) => setKeys(keys.map((x, j) => (j === i ? { ...x, score: v ?? 1 } : x)))}
              />
            </Col>
            <Col>
              <Button
                icon={<DeleteOutlined />}
                disabled={keys.length <= 3}
                onClick={() => setKeys(keys.filter((_, j) => j !== i))}
              />
            </Col>
          </Row>
        ))}
        <Space style={{ marginTop: 8 }} wrap>
          <Button
            icon={<PlusOutlined />}
            disabled={keys.length >= 5}
            onClick={() => setKeys([...keys, { label: '', score: 3 }])}
          >
            {t('kioskAdmin.addKey')}
          </Button>
          <InputNumber
            addonBefore={t('kioskAdmin.timeout')}
            addonAfter={t('kioskAdmin.seconds')}
            min={5}
            max={300}
            value={timeout}
            onChange={(v) => setTimeoutSeconds(v ?? 30)}
          />
          <Button
            type="primary"
            disabled={!parsed.success}
            loading={save.isPending}
            onClick={() =>
              parsed.success &&
              save.mutateAsync(parsed.data).then(
                () => void message.success(t('kioskAdmin.saved')),
                (e: unknown) => void message.error(errorText(e, i18n.language)),
              )
            }
          >
            {t('common.save')}
          </Button>
          {settings.data?.isDefault && <Tag>{t('kioskAdmin.default')}</Tag>}
        </Space>
      </Form>
    </Card>
  );
}
