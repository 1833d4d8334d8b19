import { Space } from 'antd';
import { useParams } from 'react-router';
import { TicketAppealPanel } from './appeal-panel.tsx';
import { TicketCallbackPanel } from './close-loop-callback-panel.tsx';

/**
 * A ticket's callbacks 回访记录 and appeal 异议申诉 on their own page (/ticket-close-loop/:id), until the ticket detail
 * page (built on another branch) mounts the two panels itself.
 */
export function CloseLoopTicketPage() {
  const { id = '' } = useParams();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="close-loop-ticket-page">
      <TicketCallbackPanel ticketId={id} />
      <TicketAppealPanel ticketId={id} />
    </Space>
  );
}
