/**
 * The download of an API export (src/services/api-export.ts): `GET /export/apis/{token}`, outside
 * the management API's authentication, as Azure's blob links are. The signed, expiring token is
 * the only credential; any token that does not open answers the same 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiExportService } from '../services/api-export.js';

export async function exportRoutes(app: FastifyInstance, exports: ApiExportService): Promise<void> {
  app.get('/export/apis/:token', async (req, reply) => {
    const file = await exports.download((req.params as { token: string }).token);
    return reply
      .header('content-type', `${file.contentType}; charset=utf-8`)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  });
}
