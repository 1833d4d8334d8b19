import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZIdParams, ZImportEncoding, ZImportJob, ZImportUpload, ZStartImportInput } from '@huifang/shared';
import { errorReport, getImport, listImports, MAX_IMPORT_BYTES, startImport, uploadImport } from './imports.service.ts';



export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['imports'];
  // Uploads arrive as the raw file (CSV or xlsx bytes); only this plugin accepts those content types.
  for (const type of ['text/csv', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.ms-excel']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES + 1 }, (_req, body, done) => done(null, body));
  }

  app.post(
    '/customer-imports',
    {
      bodyLimit: MAX_IMPORT_BYTES + 1,
      config: { access: 'customer:import' },
      schema: {
        tags,
        summary: '上传导入文件 (raw CSV/xlsx body) → headers, preview, suggested mapping',
        querystring: z.object({ fileName: z.string().trim().min(1).max(200), encoding: ZImportEncoding.optional() }),
        response: { 201: ZImportUpload },
      },
    },
    async (req, reply) => {
      const file = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      return reply.status(201).send(await uploadImport(deps, req.actor(), { fileName: req.query.fileName, file, encoding: req.query.encoding }));
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
  app.get('/customer-imports', { config: { access: 'customer:import' }, schema: { tags, summary: '我的导入', response: { 200: z.object({ items: z.array(ZImportJob) }) } } }, async (req) => ({ items: await listImports(deps, req.actor()) }));
  app.get('/customer-imports/:id', { config: { access: 'customer:import' }, schema: { tags, summary: '导入进度', params: ZIdParams, response: { 200: ZImportJob } } }, async (req) => getImport(deps, req.actor(), req.params.id));
  app.get(
    '/customer-imports/:id/errors.xlsx',
    { config: { access: 'customer:import' }, schema: { tags, summary: '错误报告 (xlsx: row, column, reason)', params: ZIdParams } },
    async (req, reply) => {
      const buf = await errorReport(deps, req.actor(), req.params.id);
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="import-errors-${req.params.id.slice(0, 8)}.xlsx"`)
        .send(buf);
    },
  );
};
