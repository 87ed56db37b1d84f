/** The traffic recorder the configuration asks for (ANALYTICS=off: none), for `tollgate start` and `tollgate gateway`. */
import type { AnalyticsConfig } from '../../config.js';
import type { Store } from '../../store/index.js';
import type { GatewayLogger } from '../types.js';
import { createTrafficRecorder, type TrafficRecorder } from './recorder.js';

export function deploymentRecorder(config: AnalyticsConfig, store: Store, logger: GatewayLogger): TrafficRecorder | undefined {
  if (!config.enabled) return undefined;
  return createTrafficRecorder({ store, logger, flushMs: config.flushMs, requestLogPerSecond: config.requestLogPerSecond });
}
