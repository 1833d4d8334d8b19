import crypto from 'node:crypto';

/**
 * Whether a resolved ticket is sampled for a callback: a fixed function of the ticket id (its SHA-256 read as a number
 * in 0–99, below `percent`), so a retried listener or job decides the same, and about `percent` % of tickets are taken.
 */
export function ticketSampleBucket(ticketId: string): number {
  return crypto.createHash('sha256').update(ticketId).digest().readUInt32BE(0) % 100;
}

export function isTicketSampled(ticketId: string, percent: number): boolean {
  return ticketSampleBucket(ticketId) < percent;
}
