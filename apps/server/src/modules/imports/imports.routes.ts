import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZIdParams, ZImportEncoding, ZImportJob, ZImportUpload, ZStartImportInput } from '@huifang/shared';
import { errorReport, getImport, listImports, startImport, uploadImport } from './imports.service.ts';
import { contentDisposition, EXPORT_CONTENT_TYPE } from '../../lib/export-file.ts';

export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['imports'];
  // Uploads arrive as the raw file (CSV or xlsx bytes); only this plugin accepts those content types. The body stays a
  // stream: the handler (after the access check) writes it to disk, so a 70 MB file never sits in memory.
  for (const type of [
    'text/csv',
    'application/octet-stream',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.ms-excel',
  ]) {
    app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }

  app.post(
    '/customer-imports',
    {
      config: { access: 'customer:import' },
      schema: {
        tags,
        summary: '上传导入文件 (raw CSV/xlsx body) → headers, preview, suggested mapping',
        querystring: z.object({ fileName: z.string().trim().min(1).max(200), encoding: ZImportEncoding.optional() }),
        response: { 201: ZImportUpload },
      },
    },
    async (req, reply) => {
      const body = req.body instanceof Readable ? req.body : Readable.from([]);
      const declaredBytes = Number(req.headers['content-length'] ?? 0) || undefined;
      return reply.status(201).send(
        await uploadImport(deps, req.actor(), {
          fileName: req.query.fileName,
          body,
          declaredBytes,
          encoding: req.query.encoding,
        }),
      );
    },
  );
  app.post(
    '/customer-imports/:id/start',
    {
      config: { access: 'customer:import' },
      schema: {
        tags,
        summary: '按映射开始导入 (background job)',
        params: ZIdParams,
        body: ZStartImportInput,
        response: { 200: ZImportJob },
      },
    },
    async (req) => startImport(deps, req.actor(), req.auditCtx(), req.params.id, req.body),
  );
  app.get(
    '/customer-imports',
    {
      config: { access: 'customer:import' },
      schema: { tags, summary: '我的导入', response: { 200: z.object({ items: z.array(ZImportJob) }) } },
    },
    async (req) => ({ items: await listImports(deps, req.actor()) }),
  );
  app.get(
    '/customer-imports/:id',
    {
      config: { access: 'customer:import' },
      schema: { tags, summary: '导入进度', params: ZIdParams, response: { 200: ZImportJob } },
    },
    async (req) => getImport(deps, req.actor(), req.params.id),
  );
  app.get(
    '/customer-imports/:id/errors.xlsx',
    {
      config: { access: 'customer:import' },
      schema: { tags, summary: '错误报告 (xlsx: row, column, reason)', params: ZIdParams },
    },
    async (req, reply) => {
      const buf = await errorReport(deps, req.actor(), req.params.id);
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header('content-disposition', contentDisposition(`import-errors-${req.params.id.slice(0, 8)}.xlsx`))
        .send(buf);
    },
  );
};
