/**
 * Refusals the Redis counters remember in the process, so a client hammering a limit it already
 * reached costs no round trip. This is no approximation: a sliding window's count only falls as
 * calls age out, and Redis says when the first one that matters does; a quota's count only falls
 * when an administrator sets it (setQuota forgets this process's refusals of that key at once;
 * other nodes hold theirs for at most `quotaRefusalMs`).
 */

/** A Map that forgets its oldest entries past `max` (memory stays bounded whatever the keys). */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

export interface RefusalsOptions {
  maxEntries: number;
  /** How long a refused quota stays refused here without asking Redis (the staleness after another node's setQuota). */
  quotaRefusalMs: number;
}

export class Refusals {
  /** `limit|period ms|key` → until when (epoch ms) a call is refused. */
  private readonly rates: BoundedMap<string, number>;
  /** counter key → (`start|calls|kilobytes` → until when). */
  private readonly quotas: BoundedMap<string, Map<string, number>>;

  constructor(private readonly options: RefusalsOptions) {
    this.rates = new BoundedMap(options.maxEntries);
    this.quotas = new BoundedMap(options.maxEntries);
  }

  /** Until when the call is known to be refused, if it is. */
  rate(limit: number, rateKey: string, now: number): number | undefined {
    return live(this.rates, `${limit}|${rateKey}`, now);
  }

  refuseRate(limit: number, rateKey: string, until: number): void {
    this.rates.set(`${limit}|${rateKey}`, until);
  }

  quota(counterKey: string, start: number, calls: number | undefined, kilobytes: number | undefined, now: number): boolean {
    const periods = this.quotas.get(counterKey);
    return periods !== undefined && live(periods, `${start}|${calls}|${kilobytes}`, now) !== undefined;
  }

  refuseQuota(counterKey: string, start: number, calls: number | undefined, kilobytes: number | undefined, windowEnd: number, now: number): void {
    let periods = this.quotas.get(counterKey);
    if (!periods) this.quotas.set(counterKey, (periods = new Map()));
    periods.set(`${start}|${calls}|${kilobytes}`, Math.min(windowEnd, now + this.options.quotaRefusalMs));
  }

  forgetQuota(counterKey: string): void {
    this.quotas.delete(counterKey);
  }
}

function live(map: Map<string, number>, key: string, now: number): number | undefined {
  const until = map.get(key);
  if (until === undefined) return undefined;
  if (now < until) return until;
  map.delete(key);
  return undefined;
}
