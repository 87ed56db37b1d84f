/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
 * self time by area (the gateway's own code, undici, Node's HTTP/net internals, GC, idle, ...).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, name: string): string {
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'V8/native (program)';
  if (url.includes('/src/gateway/')) return 'Tollgate gateway (src/gateway)';
  if (url.includes('/src/')) return 'Tollgate, other src';
  if (url.includes('node_modules/undici/')) return 'undici';
  if (url.includes('node_modules/')) return 'other node_modules';
  if (/^node:(internal\/)?(_http|http|net|stream|internal\/streams)/.test(url)) return 'Node http/net/streams';
  if (url.startsWith('node:')) return 'Node, other internals';
  return url === '' ? 'native / builtins' : 'other';
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('/dist/');
  if (i >= 0) return url.slice(i + 6);
  const m = url.indexOf('node_modules/');
  if (m >= 0) return url.slice(m + 13);
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 20): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame;
    const name = f.functionName || '(anonymous)';
    const key = f.url ? `${name} — ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
    fns.set(key, (fns.get(key) ?? 0) + t);
    const a = area(f.url, name);
    areas.set(a, (areas.get(a) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)} %`;
  const lines = [`Profile: ${(total / 1e6).toFixed(1)} s sampled.`, '', '| Self time by area | share |', '|---|---:|'];
  for (const [a, t] of [...areas].sort((x, y) => y[1] - x[1])) lines.push(`| ${a} | ${pct(t)} |`);
  lines.push('', `| Top ${top} functions by self time | share |`, '|---|---:|');
  for (const [k, t] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`| \`${k.replace(/\|/g, '\\|')}\` | ${pct(t)} |`);
  return lines.join('\n');
}
