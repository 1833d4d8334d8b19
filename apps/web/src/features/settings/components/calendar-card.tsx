import { useQueryClient } from '@tanstack/react-query';
import { CALENDAR_DAY_KINDS, ZCalendarDayInput, type TCalendarDay, type TCalendarDayKind } from '@huifang/shared';
import {
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { applyServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { CALENDAR_KEY, removeCalendarDay, setCalendarDay, useCalendar } from '../api.ts';
import { CalendarRunoutAlert } from './calendar-runout-alert.tsx';

const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type TAddForm = { date: Dayjs; kind: TCalendarDayKind; name: string };

/**
 * 工作日历: the tenant's public holidays and make-up working days 调休上班 of a year (Monday–Friday work otherwise).
 * Complaint callbacks ("within 2 working days") and, later, SLA timers count working days by it.
 */
export function CalendarCard({ canWrite }: { canWrite: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [year, setYear] = useState(dayjs().year());
  const cal = useCalendar(year);
  const [form] = Form.useForm<TAddForm>();
  // The coverage key lies under CALENDAR_KEY: an added day of a new year ends the run-out warning.
  const refresh = () => qc.invalidateQueries({ queryKey: CALENDAR_KEY });
  const onAdd = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      await setCalendarDay(v.date.format('YYYY-MM-DD'), { kind: v.kind, name: v.name ?? '' });
      form.resetFields(['date', 'name']);
      await refresh();
      void message.success(t('settingsPage.calendar.saved'));
    } catch (err) {
      applyServerErrors(form, err, i18n.language);
      void message.error(errorText(err, i18n.language));
    }
  };
  const onRemove = async (date: string) => {
    try {
      await removeCalendarDay(date);
      await refresh();
    } catch (err) {
      void message.error(errorText(err, i18n.language));
    }
  };
  const days = cal.data?.days ?? [];
  return (
    <Card
      size="small"
      title={t('settingsPage.calendar.title')}
      data-testid="business-calendar"
      extra={
        <InputNumber
          min={2000}
          max={2100}
          value={year}
          onChange={(v) => v && setYear(v)}
          addonBefore={t('settingsPage.calendar.year')}
          style={{ width: 150 }}
          data-testid="calendar-year"
        />
      }
    >
      <Typography.Paragraph type="secondary">{t('settingsPage.calendar.hint')}</Typography.Paragraph>
      <CalendarRunoutAlert />
      {cal.data && !cal.data.seeded && (
        <Typography.Paragraph type="warning" data-testid="calendar-not-seeded">
          {t('settingsPage.calendar.notSeeded', { year })}
        </Typography.Paragraph>
      )}
      {canWrite && (
        <Form
          form={form}
          name="calendarDay"
          layout="inline"
          initialValues={{ kind: 'holiday', name: '' }}
          style={{ rowGap: 8, marginBottom: 12 }}
        >
          <Form.Item name="date" label={t('settingsPage.calendar.date')} rules={[{ required: true }]}>
            <DatePicker data-testid="calendar-date" />
          </Form.Item>
          <Form.Item
            name="kind"
            label={t('settingsPage.calendar.kind')}
            rules={[zodRule(ZCalendarDayInput.shape.kind)]}
          >
            <Select
              style={{ width: 140 }}
              options={CALENDAR_DAY_KINDS.map((k) => ({ value: k, label: t(`settingsPage.calendar.kinds.${k}`) }))}
              data-testid="calendar-kind"
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('settingsPage.calendar.name')}
            rules={[zodRule(ZCalendarDayInput.shape.name, { emptyAs: '' })]}
          >
            <Input style={{ width: 160 }} maxLength={50} data-testid="calendar-name" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" onClick={() => void onAdd()} data-testid="calendar-add">
              {t('settingsPage.calendar.add')}
            </Button>
          </Form.Item>
        </Form>
      )}
      <Table<TCalendarDay>
        rowKey="date"
        size="small"
        loading={cal.isFetching}
        dataSource={days}
        pagination={false}
        scroll={{ y: 360 }}
        data-testid="calendar-days"
        columns={[
          { title: t('settingsPage.calendar.date'), dataIndex: 'date', width: 130 },
          {
            title: t('settingsPage.calendar.weekday'),
            dataIndex: 'date',
            width: 90,
            render: (d: string) => t(`settingsPage.calendar.weekdays.${WEEKDAY_KEYS[dayjs(d).day()]}`),
          },
          {
            title: t('settingsPage.calendar.kind'),
            dataIndex: 'kind',
            width: 130,
            render: (k: TCalendarDayKind) => (
              <Tag color={k === 'holiday' ? 'red' : 'blue'}>{t(`settingsPage.calendar.kinds.${k}`)}</Tag>
            ),
          },
          { title: t('settingsPage.calendar.name'), dataIndex: 'name' },
          ...(canWrite
            ? [
                {
                  title: '',
                  width: 90,
                  render: (_: unknown, r: TCalendarDay) => (
                    <Popconfirm
                      title={t('settingsPage.calendar.removeConfirm', { date: r.date })}
                      onConfirm={() => onRemove(r.date)}
                    >
                      <Button size="small" type="link" danger data-testid={`calendar-remove-${r.date}`}>
                        {t('settingsPage.calendar.remove')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={5}>
              <Space>
                <Tag color="red">
                  {t('settingsPage.calendar.kinds.holiday')} {days.filter((d) => d.kind === 'holiday').length}
                </Tag>
                <Tag color="blue">
                  {t('settingsPage.calendar.kinds.workday')} {days.filter((d) => d.kind === 'workday').length}
                </Tag>
              </Space>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
    </Card>
  );
}
