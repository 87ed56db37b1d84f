/**
 * The access log (TOLLGATE_ACCESS_LOG=1): one info line per gateway call, once its answer is out.
 * Built from the call record only, which never holds a subscription key: the url is the path and
 * the forwarded query (the key parameter taken out), and no header is logged. Load balancers'
 * probes of the health path are left out, as they are from the reports.
 */
import type { GatewayLogger } from '../types.js';
import { callUrl, type CallSink } from './call.js';

export const ACCESS_LOG_MESSAGE = 'gateway access';

/** Milliseconds to a tenth: enough for people, and short lines. */
const ms = (value: number) => Math.round(value * 10) / 10;

export function createAccessLog(logger: Pick<GatewayLogger, 'info'>): CallSink {
  return {
    record(call) {
      if (call.cause === 'health') return;
      logger.info(
        {
          requestId: call.requestId,
          method: call.method,
          url: callUrl(call),
          status: call.status,
          backendStatus: call.backendStatus,
          requestBytes: call.requestBytes,
          responseBytes: call.responseBytes,
          apiMs: ms(call.apiMs),
          serviceMs: ms(call.serviceMs),
          ip: call.ip,
          api: call.apiId ?? '',
          operation: call.operationId ?? '',
          product: call.productId ?? '',
          subscription: call.subscriptionId ?? '',
          ...(call.cause ? { cause: call.cause } : {}),
        },
        ACCESS_LOG_MESSAGE,
      );
    },
  };
}
