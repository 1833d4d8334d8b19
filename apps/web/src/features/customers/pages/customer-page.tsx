import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TCustomerDetail, TTimelineItem } from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Popconfirm,
  Row,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { del, get, post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { useCustomFields } from '../api.ts';
import { CustomerDrawer } from '../components/customer-drawer.tsx';
import { RevealText } from '../components/reveal-text.tsx';
import { timelineDetail, timelineTitle } from '../components/timeline-title.ts';
import { CustomerSurveyEntry } from '../../surveys/components/customer-survey-entry.tsx';
import { CustomerValueCard } from '../../value/components/customer-value-card.tsx';

const KIND_COLOR: Record<TTimelineItem['kind'], string> = {
  service_record: 'blue',
  transaction: 'green',
  note: 'gray',
  evaluation: 'orange',
  followup_task: 'purple',
  followup_attempt: 'cyan',
};

/** 客户360: profile, contacts, custom fields and the timeline, with notes. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [note, setNote] = useState('');
  const defs = useCustomFields().data ?? [];
  const customer = useQuery({ queryKey: ['customers', id], queryFn: () => get<TCustomerDetail>(`/customers/${id}`) });
  const timeline = useQuery({
    queryKey: ['customers', id, 'timeline'],
    queryFn: () => get<{ items: TTimelineItem[] }>(`/customers/${id}/timeline`).then((r) => r.items),
  });
  const c = customer.data;
  if (customer.isError) return <Empty description={errorText(customer.error, i18n.language)} />;
  if (!c) return <Skeleton active />;
  // The customer of my follow-up task, outside my own scope: read only (the server refuses edits and notes).
  const canWrite = can(me, 'customer:write') && !c.isReadOnly;

  const accessRequest = async () => {
    try {
      const data = await post<unknown>(`/customers/${id}/access-request`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      a.download = `customer-${id}.json`;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  const erase = async () => {
    try {
      await del(`/customers/${id}`);
      void message.success(t('customer.erased'));
      await qc.invalidateQueries({ queryKey: ['customers'] });
      void navigate('/customers', { replace: true });
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  const addNote = async () => {
    try {
      await post(`/customers/${id}/notes`, { body: note });
      setNote('');
      await qc.invalidateQueries({ queryKey: ['customers', id, 'timeline'] });
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Row gutter={16}>
      <Col xs={24} lg={14}>
        <Card
          title={
            <Space>
              {c.name}
              {c.tier && <Tag color="gold">{c.tier}</Tag>}
              <Tag>{t(`customer.${c.kind}`)}</Tag>
            </Space>
          }
          extra={
            <Space>
              {c.isReadOnly && (
                <Tag color="blue" data-testid="customer-read-only">
                  {t('customer.viaTask')}
                </Tag>
              )}
              {canWrite && <Button onClick={() => setEditing(true)}>{t('common.edit')}</Button>}
              {canWrite && can(me, 'survey:read') && <CustomerSurveyEntry customerId={id} />}
              {can(me, 'pii:reveal') && (
                <Button onClick={() => void accessRequest()}>{t('customer.accessRequest')}</Button>
              )}
              {can(me, 'customer:erase') && (
                <Popconfirm
                  title={t('customer.eraseConfirm', { name: c.name })}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => void erase()}
                >
                  <Button danger>{t('customer.erase')}</Button>
                </Popconfirm>
              )}
            </Space>
          }
        >
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('customer.phones')} span={2}>
              <Space direction="vertical" size={0}>
                {c.phones.length
                  ? c.phones.map((p, i) => <RevealText key={i} customerId={c.id} field="phone" index={i} masked={p} />)
                  : '—'}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('user.email')}>
              <RevealText customerId={c.id} field="email" masked={c.email} />
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.idNumber')}>
              <RevealText customerId={c.id} field="idNumber" masked={c.idNumber} />
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.cardNumbers')} span={2}>
              <Space direction="vertical" size={0}>
                {c.cardNumbers.length
                  ? c.cardNumbers.map((k, i) => (
                      <RevealText key={i} customerId={c.id} field="cardNumber" index={i} masked={k} />
                    ))
                  : '—'}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.address')} span={2}>
              <RevealText customerId={c.id} field="address" masked={c.address} />
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.gender')}>
              {c.gender ? t(`gender.${c.gender}`) : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.birthday')}>{c.birthday ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('common.unit')}>{c.unitName}</Descriptions.Item>
            <Descriptions.Item label={t('customer.owner')}>{c.ownerName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customer.intentLevel')}>{c.intentLevel ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customer.source')}>{c.source ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('customer.consentService')}>
              {c.consentService ? t('common.yes') : t('common.no')}
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.consentMarketing')}>
              {c.consentMarketing ? t('common.yes') : t('common.no')}
            </Descriptions.Item>
            <Descriptions.Item label={t('customer.tags')} span={2}>
              {c.tags.map((x) => (
                <Tag key={x}>{x}</Tag>
              ))}
            </Descriptions.Item>
            {defs.map((d) => (
              <Descriptions.Item key={d.key} label={d.label}>
                {c.custom[d.key] === undefined || c.custom[d.key] === null ? '—' : String(c.custom[d.key])}
              </Descriptions.Item>
            ))}
          </Descriptions>
          {c.contacts.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('customer.contacts')}
              </Typography.Title>
              {c.contacts.map((k) => (
                <div key={k.id}>
                  {k.name} {k.title} {k.phone} {k.isPrimary && <Tag color="blue">{t('customer.primary')}</Tag>}
                </div>
              ))}
            </>
          )}
        </Card>
        <CustomerValueCard customerId={id} canManage={can(me, 'value:manage')} />
      </Col>
      <Col xs={24} lg={10}>
        <Card title={t('customer.timeline')}>
          {canWrite && (
            <Form onFinish={() => void addNote()} style={{ marginBottom: 16 }}>
              <Space.Compact block>
                <Input
                  data-testid="note-input"
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  placeholder={t('customer.notePlaceholder')}
                  maxLength={2000}
                />
                <Button type="primary" htmlType="submit" disabled={!note.trim()}>
                  {t('customer.addNote')}
                </Button>
              </Space.Compact>
            </Form>
          )}
          <Timeline
            items={(timeline.data ?? []).map((it) => {
              const detail = timelineDetail(t, it);
              return {
                color: KIND_COLOR[it.kind],
                children: (
                  <div data-testid="timeline-item">
                    <Typography.Text strong>
                      {t(`timeline.${it.kind}`)} · {timelineTitle(t, it)}
                    </Typography.Text>
                    {it.amountFen !== null && <Typography.Text> ¥{(it.amountFen / 100).toFixed(2)}</Typography.Text>}
                    <div>
                      <Typography.Text type="secondary">
                        {fmtTime(it.at)} {it.actorName ?? ''}
                      </Typography.Text>
                    </div>
                    {detail && <div>{detail}</div>}
                    {it.answers && (
                      // Questionnaire answers of a survey response or a follow-up call.
                      <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }} data-testid="timeline-answers">
                        {it.answers.map((a, i) => (
                          <li key={i}>
                            <Typography.Text type="secondary">{a.question}：</Typography.Text>
                            {a.answer}
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                ),
              };
            })}
          />
        </Card>
      </Col>
      <CustomerDrawer
        open={editing}
        customer={c}
        onClose={() => {
          setEditing(false);
          void qc.invalidateQueries({ queryKey: ['customers', id] });
        }}
      />
    </Row>
  );
}
