import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { TICKET_ATTACHMENT_MAX_BYTES } from '@huifang/shared';
import type { TConfig } from '../../config/env.ts';
import { ticketAttachments } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound } from '../../lib/app-error.ts';
import type { TActor } from '../../lib/scope.ts';
import { removeFile, saveUpload, UploadTooLarge } from '../imports/upload-file.ts';
import { sniffImage } from '../order-reviews/review-images.ts';
import { appendTicketEvent } from './ticket-actions.ts';
import { canWorkOn, getTicketDetail, type TTicketDeps } from './tickets.service.ts';
import { attachmentRowsOf, lockVisibleTicket, findVisibleTicketRow } from './tickets.repository.ts';

type TDeps = TTicketDeps & { config: Pick<TConfig, 'dataDir'> };

const OOXML: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};
const OLE: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

/**
 * The type of an attachment by its first bytes (never by what the client claims): PNG/JPEG/WebP/GIF, PDF, and office
 * documents (OOXML zip or the old OLE container, told apart by the file's extension). null = not accepted.
 */
export function sniffAttachment(head: Buffer, fileName: string): string | null {
  const image = sniffImage(head);
  if (image) return image;
  if (head.toString('latin1', 0, 6) === 'GIF87a' || head.toString('latin1', 0, 6) === 'GIF89a') return 'image/gif';
  if (head.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf';
  const ext = path.extname(fileName).slice(1).toLowerCase();
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return OOXML[ext] ?? null;
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))
    return OLE[ext] ?? null;
  return null;
}

/**
 * Upload 上传附件: the raw file body streamed to DATA_DIR/tickets (≤ 10 MB, never whole in memory), its type sniffed,
 * a row in ticket_attachments and an `attachment` event in one transaction. A refused file is removed from disk.
 */
export async function uploadTicketAttachment(
  deps: TDeps,
  actor: TActor,
  id: string,
  input: { fileName: string; body: Readable; declaredBytes?: number },
) {
  const ticket = await findVisibleTicketRow(deps.db, actor, id);
  if (!ticket) {
    input.body.resume();
    throw notFound('ticket');
  }
  if (!canWorkOn(actor, { assigneeId: ticket.assignee_id })) {
    input.body.resume();
    throw new AppError('FORBIDDEN', 'you may not attach files to this ticket');
  }
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', '附件不能超过 10 MB');
  if ((input.declaredBytes ?? 0) > TICKET_ATTACHMENT_MAX_BYTES) {
    input.body.resume();
    throw tooLarge();
  }
  const dir = path.join(deps.config.dataDir, 'tickets', actor.tenantId);
  let saved;
  try {
    saved = await saveUpload(input.body, dir, TICKET_ATTACHMENT_MAX_BYTES);
  } catch (e) {
    if (e instanceof UploadTooLarge) throw tooLarge();
    throw e;
  }
  try {
    if (saved.bytes === 0) throw invalidField('body', '文件为空');
    const mime = sniffAttachment(saved.head, input.fileName);
    if (!mime) throw invalidField('body', '只能上传图片、PDF 或 Office 文档');
    const fileName = path.basename(input.fileName).slice(0, 200);
    await deps.db.transaction(async (tx) => {
      if (!(await lockVisibleTicket(tx, actor, id))) throw notFound('ticket');
      const at = deps.clock.now();
      const [row] = await tx
        .insert(ticketAttachments)
        .values({
          tenantId: actor.tenantId,
          ticketId: id,
          fileName,
          mimeType: mime,
          sizeBytes: saved.bytes,
          storagePath: path.relative(deps.config.dataDir, saved.path),
          uploadedBy: actor.userId,
          uploadedAt: at,
        })
        .returning({ id: ticketAttachments.id });
      await appendTicketEvent(tx, {
        tenantId: actor.tenantId,
        ticketId: id,
        type: 'attachment',
        actorId: actor.userId,
        at,
        payload: { attachmentId: row!.id, fileName, mimeType: mime, sizeBytes: saved.bytes },
      });
    });
  } catch (e) {
    removeFile(saved.path);
    throw e;
  }
  return getTicketDetail(deps, actor, id);
}

/** Download 下载附件 of a ticket in scope: the stored file with its sniffed type. */
export async function openTicketAttachment(deps: TDeps, actor: TActor, id: string, attachmentId: string) {
  if (!(await findVisibleTicketRow(deps.db, actor, id))) throw notFound('ticket');
  const [row] = await attachmentRowsOf(deps.db, actor.tenantId, id, attachmentId);
  if (!row) throw notFound('attachment');
  const file = path.resolve(deps.config.dataDir, row.storage_path);
  if (!file.startsWith(path.resolve(deps.config.dataDir) + path.sep) || !fs.existsSync(file))
    throw notFound('attachment');
  return { stream: fs.createReadStream(file), fileName: row.file_name, mimeType: row.mime_type };
}
