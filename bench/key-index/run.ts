/**
 * Key index benchmark: the memory a million subscriptions take in the gateway's key index, and
 * the full garbage collection it costs, for the representation in use (src/gateway/access.ts
 * KeyIndex: typed arrays and a 128-bit digest table) against the one it replaced (a Map from
 * lookup strings to one object per subscription), each built in its own process. The figure the
 * representation was chosen on. See docs/benchmarks.md ("Gateway at scale").
 *
 *   npm run bench:key-index -- --subscriptions 1000000
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runBenchCli, wholeNumber } from '../common/cli.js';
import { printReportHead } from '../common/machine.js';

const HELP = `Usage: node dist/bench/key-index/run.js [options]

Builds the gateway's key index for N subscriptions (two keys each, one owner per five) in a child
process, once as it is now (typed arrays, digest table) and once as it was (Map of strings to
objects), and reports the bytes per subscription each adds to the heap and array buffers and how
long a full garbage collection takes with it.

Options:
  --subscriptions N   how many (default 1000000)
  -h, --help          this text
`;

const BUILD = fileURLToPath(new URL('./build.js', import.meta.url));

interface Built {
  kind: string;
  bytesPerSubscription: number;
  fullGcMs: number;
  estimate?: number;
}

function build(kind: 'map' | 'index', n: number): Built {
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', BUILD, kind, String(n)], { encoding: 'utf8' })) as Built;
}

await runBenchCli({
  help: HELP,
  options: { subscriptions: { type: 'string', default: '1000000' } },
  parse: (v) => wholeNumber('subscriptions', v.subscriptions, 1000, { underscores: true }),
  async run(n) {
    printReportHead('Key index benchmark', `${n.toLocaleString('en-US')} subscriptions, each representation built in its own process.`);
    const before = build('map', n);
    const now = build('index', n);
    console.log('| representation | bytes per subscription | full GC with it alive |');
    console.log('|---|---:|---:|');
    console.log(`| Map of lookup strings to objects (before) | ${before.bytesPerSubscription.toFixed(0)} | ${before.fullGcMs.toFixed(0)} ms |`);
    console.log(`| KeyIndex: typed arrays + digest table (now) | ${now.bytesPerSubscription.toFixed(0)} (its own estimate: ${now.estimate?.toFixed(0)}) | ${now.fullGcMs.toFixed(0)} ms |`);
    console.log(`\nRatio now ÷ before: memory ${(now.bytesPerSubscription / before.bytesPerSubscription).toFixed(2)}, full GC ${(now.fullGcMs / before.fullGcMs).toFixed(2)}.`);
  },
});
