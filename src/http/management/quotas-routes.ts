/** QuotaByCounterKeys_* and QuotaByPeriodKeys_* of apimquotas.json. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { quotaCounterUpdateInput } from '../../domain/quota-counter.js';
import { parseInput } from '../../domain/validate.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { quotaCounter, quotaCounterCollection as collection } from './resources.js';
import { bodyProperties, pathId } from './request.js';

/** Counter keys are what a policy's counter-key evaluates to: anything but path syntax, within reason. */
const COUNTER_KEY_MAX = 1024;

export function registerQuotaRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { quotas } = deps;
  const counterKey = (req: FastifyRequest) => pathId(req, 'quotaCounterKey', COUNTER_KEY_MAX);
  const periodKey = (req: FastifyRequest) => pathId(req, 'quotaPeriodKey', 256);

  app.get('/quotas/:quotaCounterKey', async (req) => collection(await quotas.list(counterKey(req))));

  app.patch('/quotas/:quotaCounterKey', async (req) => {
    const key = counterKey(req);
    const input = parseInput(quotaCounterUpdateInput, bodyProperties(req));
    return collection(await quotas.update(key, input, actorOf(req)));
  });

  app.get('/quotas/:quotaCounterKey/periods/:quotaPeriodKey', async (req) => quotaCounter(await quotas.get(counterKey(req), periodKey(req))));

  app.patch('/quotas/:quotaCounterKey/periods/:quotaPeriodKey', async (req) => {
    const key = counterKey(req);
    const period = periodKey(req);
    const input = parseInput(quotaCounterUpdateInput, bodyProperties(req));
    return quotaCounter(await quotas.updatePeriod(key, period, input, actorOf(req)));
  });
}
