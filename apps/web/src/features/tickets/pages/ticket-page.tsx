import { UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { TICKET_ATTACHMENT_TYPES, TICKET_CATEGORIES, TICKET_PRIORITIES, type TTicketDetail } from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Input,
  List,
  Row,
  Select,
  Space,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { fmtTime } from '../../../lib/format.ts';
import { addTicketNote, attachmentUrl, TICKETS_KEY, updateTicket, uploadTicketAttachment, useTicket } from '../api.ts';
import { TicketAppealPanel } from '../components/appeal-panel.tsx';
import { TicketCallbackPanel } from '../components/close-loop-callback-panel.tsx';
import { CustomerPanel } from '../components/customer-panel.tsx';
import { TicketActionBar } from '../components/ticket-action-bar.tsx';
import { PriorityTag, SlaTag, StatusTag } from '../components/ticket-tags.tsx';
import { TicketTimeline } from '../components/ticket-timeline.tsx';

/** 工单详情: header, the actions I may take, the history, notes, attachments and the customer with their history. */
export function TicketPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const detail = useTicket(id).data;
  if (!detail) return <Card loading />;
  const tk = detail.ticket;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card
        title={
          <Space wrap>
            <span data-testid="ticket-no">{tk.no}</span>
            <StatusTag status={tk.status} />
            <PriorityTag priority={tk.priority} />
            <SlaTag state={tk.slaState} />
            <Typography.Text>{tk.title}</Typography.Text>
          </Space>
        }
        extra={<Link to="/tickets">{t('tickets.detail.back')}</Link>}
      >
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('tickets.col.assignee')}>
            {tk.assigneeName ?? t('tickets.unassigned')}
          </Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.level')}>
            {t(`tickets.level.${tk.escalationLevel}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.unit')}>{tk.unitName}</Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.firstResponseDue')}>
            {fmtTime(tk.firstResponseDueAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.resolutionDue')}>{fmtTime(tk.resolutionDueAt)}</Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.staff')}>{tk.staffName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.category')}>
            <FieldEdit detail={detail} field="category" />
          </Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.priority')}>
            <FieldEdit detail={detail} field="priority" />
          </Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.source')}>{t(`tickets.source.${tk.source}`)}</Descriptions.Item>
          <Descriptions.Item label={t('tickets.col.createdAt')}>{fmtTime(tk.createdAt)}</Descriptions.Item>
          {tk.faultDecision && (
            <Descriptions.Item label={t('tickets.col.fault')}>
              {t(`tickets.fault.${tk.faultDecision}`)}
            </Descriptions.Item>
          )}
        </Descriptions>
        {tk.description && (
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} type="secondary">
            {tk.description}
          </Typography.Paragraph>
        )}
        <TicketActionBar detail={detail} />
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={15}>
          <Card size="small" title={t('tickets.detail.timeline')} style={{ marginBottom: 16 }}>
            <TicketTimeline events={detail.events} />
            {detail.canWork && <NoteForm id={tk.id} />}
          </Card>
          <Attachments detail={detail} />
        </Col>
        <Col xs={24} lg={9}>
          <Space direction="vertical" style={{ width: '100%' }} size={16}>
            <CustomerPanel panel={detail.customer} />
            <TicketCallbackPanel ticketId={tk.id} />
            <TicketAppealPanel ticketId={tk.id} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}

function useSaved() {
  const qc = useQueryClient();
  return async (d: TTicketDetail) => {
    qc.setQueryData([...TICKETS_KEY, 'detail', d.ticket.id], d);
    await qc.invalidateQueries({ queryKey: TICKETS_KEY });
  };
}

/** Priority / category: a select for ticket:manage (version sent), plain text otherwise. */
function FieldEdit({ detail, field }: { detail: TTicketDetail; field: 'priority' | 'category' }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const saved = useSaved();
  const tk = detail.ticket;
  const values = field === 'priority' ? TICKET_PRIORITIES : TICKET_CATEGORIES;
  if (!detail.canManage) return <>{t(`tickets.${field}.${tk[field]}`)}</>;
  const onChange = async (v: string) => {
    try {
      await saved(await updateTicket(tk.id, { version: tk.version, [field]: v }));
      void message.success(t('tickets.detail.saved'));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  return (
    <Select
      size="small"
      value={tk[field]}
      variant="borderless"
      onChange={(v: string) => void onChange(v)}
      options={values.map((v) => ({ value: v, label: t(`tickets.${field}.${v}`) }))}
      style={{ minWidth: 110 }}
      data-testid={`ticket-${field}`}
    />
  );
}

function NoteForm({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const saved = useSaved();
  const [text, setText] = useState('');
  const [internal, setInternal] = useState(true);
  const [busy, setBusy] = useState(false);
  const onAdd = async () => {
    if (!text.trim()) return;
    setBusy(true);
    try {
      await saved(await addTicketNote(id, { text: text.trim(), internal }));
      setText('');
      void message.success(t('tickets.detail.noteAdded'));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text strong>{t('tickets.detail.notes')}</Typography.Text>
      <Input.TextArea
        rows={3}
        value={text}
        maxLength={5000}
        placeholder={t('tickets.detail.notePlaceholder')}
        onChange={(e) => setText(e.target.value)}
        data-testid="ticket-note"
      />
      <Space>
        <Checkbox checked={internal} onChange={(e) => setInternal(e.target.checked)}>
          {t('tickets.detail.internal')}
        </Checkbox>
        <Button
          type="primary"
          loading={busy}
          disabled={!text.trim()}
          onClick={() => void onAdd()}
          data-testid="ticket-note-add"
        >
          {t('tickets.detail.addNote')}
        </Button>
      </Space>
    </Space>
  );
}

function Attachments({ detail }: { detail: TTicketDetail }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const saved = useSaved();
  const id = detail.ticket.id;
  const onUpload = async (file: File) => {
    try {
      await saved(await uploadTicketAttachment(id, file));
      void message.success(t('tickets.detail.uploaded'));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  return (
    <Card
      size="small"
      title={t('tickets.detail.attachments')}
      extra={
        detail.canWork && (
          <Upload
            showUploadList={false}
            accept={TICKET_ATTACHMENT_TYPES.join(',')}
            beforeUpload={(f) => {
              void onUpload(f);
              return false;
            }}
          >
            <Button size="small" icon={<UploadOutlined />} data-testid="ticket-upload">
              {t('tickets.detail.upload')}
            </Button>
          </Upload>
        )
      }
    >
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('tickets.detail.uploadHint')}
      </Typography.Text>
      <List
        size="small"
        locale={{ emptyText: t('tickets.detail.noAttachments') }}
        dataSource={detail.attachments}
        renderItem={(a) => (
          <List.Item
            actions={[
              <DownloadButton key="dl" size="small" type="link" url={attachmentUrl(id, a.id)}>
                {a.fileName}
              </DownloadButton>,
            ]}
          >
            <Typography.Text type="secondary">
              {(a.sizeBytes / 1024).toFixed(1)} KB · {a.uploadedByName ?? '—'} · {fmtTime(a.uploadedAt)}
            </Typography.Text>
          </List.Item>
        )}
      />
    </Card>
  );
}
