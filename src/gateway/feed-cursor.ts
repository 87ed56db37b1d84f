/**
 * Where a gateway is in the change feed: the last sequence number applied, and the numbers below
 * it that were missing when it read past them ("gaps").
 *
 * A gap exists because on PostgreSQL sequence numbers are taken at insert, not at commit: a
 * transaction can commit seq 7 after seq 8 became visible, and a reader that only asked for
 * "seq > 8" would never see 7. So every missing number is asked for again until it shows up or
 * GAP_TTL_MS passes (a rolled-back transaction leaves a hole that never fills). Immutable: a
 * gateway moves to the next cursor only once it applied the rows that led there.
 */

export const GAP_TTL_MS = 30_000;
/** More holes than this and the oldest are given up (a burst of rolled-back writes). */
const MAX_GAPS = 1_000;

export class FeedCursor {
  private constructor(
    readonly last: number,
    /** seq → when to stop waiting for it (epoch ms). */
    private readonly gaps: ReadonlyMap<number, number>,
  ) {}

  /** At `head.max`, waiting for the numbers of the window below it that are not there yet. */
  static at(head: { max: number; present: readonly number[] }, window: number, now: number): FeedCursor {
    const present = new Set(head.present);
    const gaps = new Map<number, number>();
    for (let seq = Math.max(1, head.max - window + 1); seq < head.max; seq++) if (!present.has(seq)) gaps.set(seq, now + GAP_TTL_MS);
    return new FeedCursor(head.max, gaps);
  }

  /** The numbers still awaited, those whose wait ran out at `now` left out. */
  awaited(now: number): number[] {
    const out: number[] = [];
    for (const [seq, deadline] of this.gaps) if (deadline > now) out.push(seq);
    return out;
  }

  /**
   * Reads `seqs` (ascending, as `changesAfter` returns them for this cursor): which are new (to
   * apply), and the cursor after them.
   */
  advance(seqs: readonly number[], now: number): { fresh: number[]; next: FeedCursor } {
    const gaps = new Map<number, number>();
    for (const [seq, deadline] of this.gaps) if (deadline > now) gaps.set(seq, deadline);
    let last = this.last;
    const fresh: number[] = [];
    for (const seq of seqs) {
      if (seq > last) {
        for (let missing = Math.max(last + 1, seq - MAX_GAPS); missing < seq; missing++) gaps.set(missing, now + GAP_TTL_MS);
        last = seq;
        fresh.push(seq);
      } else if (gaps.delete(seq)) {
        fresh.push(seq);
      }
    }
    if (gaps.size > MAX_GAPS) {
      const drop = [...gaps.keys()].sort((a, b) => a - b).slice(0, gaps.size - MAX_GAPS);
      for (const seq of drop) gaps.delete(seq);
    }
    return { fresh, next: new FeedCursor(last, gaps) };
  }
}
