/**
 * A one-line progress bar on stderr: `label [#####.....]  42% 42,000/100,000 31,000/s ETA 2s`.
 * Redrawn at most every 100 ms; on a non-terminal stderr it prints only the final line.
 */
export interface Progress {
  /** Sets the number of items done so far. */
  update(done: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

const WIDTH = 30;

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  let lastDraw = 0;
  let done = 0;

  function line(): string {
    const elapsed = (performance.now() - started) / 1000;
    const fraction = total === 0 ? 1 : Math.min(done / total, 1);
    const filled = Math.round(fraction * WIDTH);
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const tail = done >= total ? `in ${elapsed.toFixed(1)}s` : `ETA ${formatSeconds(eta)}`;
    return (
      `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ` +
      `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${Math.round(rate).toLocaleString('en-US')}/s ${tail}`
    );
  }

  function draw(): void {
    if (stream.isTTY) stream.write(`\r${line()}\x1b[K`);
  }

  return {
    update(n) {
      done = n;
      const now = performance.now();
      if (now - lastDraw >= 100) {
        lastDraw = now;
        draw();
      }
    },
    finish() {
      stream.write(stream.isTTY ? `\r${line()}\x1b[K\n` : `${line()}\n`);
    },
  };
}
