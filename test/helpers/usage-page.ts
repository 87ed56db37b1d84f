/**
 * Reading the usage tables of a page fetched over HTTP (the admin UI's Analytics page, user and
 * product pages, the portal's My subscriptions): a region by the id that labels it, and its
 * table rows as cell texts.
 */
import { unescapeHtml } from './portal-browser.js';

/** The markup of the <section> or <figure> labelled by `labelId` ('' when the page has none). */
export function region(page: string, labelId: string): string {
  const start = page.indexOf(`aria-labelledby="${labelId}"`);
  if (start < 0) return '';
  const open = page.lastIndexOf('<', start);
  const tag = /^<(\w+)/.exec(page.slice(open))![1]!;
  const end = page.indexOf(`</${tag}>`, start);
  return page.slice(open, end < 0 ? undefined : end);
}

/** The rows of the tables in `fragment` (header rows included), each as its cells' text. */
export function tableRows(fragment: string): string[][] {
  return [...fragment.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => unescapeHtml(cell[1]!.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim()),
  );
}

/** The body rows (not the header, nor the totals row) of the tables of a region. */
export function bodyRows(page: string, labelId: string): string[][] {
  const fragment = region(page, labelId);
  const bodies = [...fragment.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((m) => m[1]!).join('');
  return tableRows(bodies);
}

/** The totals row of the tables of a region (from their <tfoot>). */
export function totalRow(page: string, labelId: string): string[] | undefined {
  const foot = /<tfoot>([\s\S]*?)<\/tfoot>/.exec(region(page, labelId))?.[1];
  return foot === undefined ? undefined : tableRows(foot)[0];
}

/** One gateway call with a subscription key (the body read whole); its status. */
export async function keyCall(gatewayUrl: string, path: string, key: string): Promise<number> {
  const res = await fetch(`${gatewayUrl}${path}`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
  await res.arrayBuffer();
  return res.status;
}
