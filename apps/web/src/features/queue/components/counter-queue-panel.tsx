import { App, Button, Card, Dropdown, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { useCallActions, useCounterQueue } from '../api.ts';

/**
 * 叫号 on the counter page: the queues this counter serves, "next" (which starts the service), and for the number
 * being served: recall 重呼, skip 过号, transfer 转移. Hidden at counters that serve no business type.
 */
export function CounterQueuePanel({ counterId, isServing }: { counterId: string | undefined; isServing: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queue = useCounterQueue(counterId);
  const { next, recall, skip, transfer } = useCallActions();
  const fail = (e: unknown) => void message.error(errorText(e, i18n.language));
  const q = queue.data;
  if (!counterId || !q || q.types.length === 0) return null;
  const current = q.current;
  const waiting = q.types.reduce((n, x) => n + x.waiting, 0);
  return (
    <Card size="small" title={t('queue.counter.title')} data-testid="queue-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          {q.types.map((x) => (
            <Tag key={x.id} data-testid={`queue-waiting-${x.prefix}`}>
              {x.prefix} {x.name}: {t('queue.counter.waiting', { n: x.waiting })}
            </Tag>
          ))}
        </Space>
        {current ? (
          <Space wrap size="middle" align="center">
            <Typography.Text strong style={{ fontSize: 28 }} data-testid="queue-current">
              {current.number}
            </Typography.Text>
            <Typography.Text>{current.typeName}</Typography.Text>
            {current.isVip && <Tag color="gold">VIP</Tag>}
            {current.waitSeconds !== null && (
              <Typography.Text type="secondary">
                {t('queue.counter.waited', { m: Math.round(current.waitSeconds / 60) })}
              </Typography.Text>
            )}
            <Button
              data-testid="queue-recall"
              loading={recall.isPending}
              onClick={() => recall.mutateAsync(current.id).catch(fail)}
            >
              {t('queue.counter.recall')}
            </Button>
            <Button
              data-testid="queue-skip"
              loading={skip.isPending}
              onClick={() =>
                skip
                  .mutateAsync(current.id)
                  .then(
                    (r) =>
                      void message.info(t(r.status === 'waiting' ? 'queue.counter.requeued' : 'queue.counter.noShow')),
                    fail,
                  )
              }
            >
              {t('queue.counter.skip')}
            </Button>
            <Dropdown
              menu={{
                items: [
                  ...q.transferTypes
                    .filter((x) => x.id !== current.typeId)
                    .map((x) => ({ key: `t:${x.id}`, label: t('queue.counter.toType', { name: x.name }) })),
                  ...q.transferCounters.map((c) => ({
                    key: `c:${c.id}`,
                    label: t('queue.counter.toCounter', { name: c.name }),
                  })),
                ],
                onClick: ({ key }) => {
                  const [kind, id] = key.split(':') as [string, string];
                  transfer
                    .mutateAsync({ id: current.id, to: kind === 't' ? { typeId: id } : { counterId: id } })
                    .catch(fail);
                },
              }}
            >
              <Button data-testid="queue-transfer" loading={transfer.isPending}>
                {t('queue.counter.transfer')}
              </Button>
            </Dropdown>
          </Space>
        ) : (
          <Button
            type="primary"
            size="large"
            data-testid="queue-call-next"
            disabled={isServing || waiting === 0}
            loading={next.isPending}
            onClick={() =>
              next
                .mutateAsync(counterId)
                .then((r) => void message.success(t('queue.counter.called', { number: r.number })), fail)
            }
          >
            {t('queue.counter.next')}
          </Button>
        )}
      </Space>
    </Card>
  );
}
