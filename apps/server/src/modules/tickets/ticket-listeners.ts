import type { DbOrTx } from '../../db/client.ts';
import { closeLoopListener } from './close-loop/close-loop.service.ts';
import { ticketRollupsListener } from './rollups/ticket-rollups.ts';
import type { TTicketEventRow, TTicketRow } from './ticket-actions.ts';
import { notifyTicketPeople } from './ticket-notifications.ts';

/** Reacts to a ticket event inside the transaction that wrote it; must write only through `tx`. */
export type TTicketListener = (tx: DbOrTx, ticket: TTicketRow, event: TTicketEventRow) => Promise<void>;

/**
 * What happens beside every ticket event, in this order (notifications of the assignee and the outlet manager, the
 * close-the-loop callback on resolution, …). To add one: write a `TTicketListener` beside its module and list it here.
 */
export const TICKET_LISTENERS: TTicketListener[] = [ticketRollupsListener, notifyTicketPeople, closeLoopListener];
