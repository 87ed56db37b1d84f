/** The routing table changed one API at a time: put in, replaced (a new path), taken out. */
import { describe, expect, it } from 'vitest';
import { createRoutingTable, type ApiInput } from '../../src/gateway/routing.js';

const api = (id: string, path: string, serviceUrl = `http://${id}.example:8080/base`): ApiInput => ({
  id,
  path,
  serviceUrl,
  subscriptionRequired: true,
  keyHeader: 'Ocp-Apim-Subscription-Key',
  keyQuery: 'subscription-key',
});
const all = (apiId: string) => [{ apiId, id: 'all', method: 'GET', urlTemplate: '/*' }];
const matched = (table: ReturnType<typeof createRoutingTable>, path: string) => table.match('GET', path)?.api.id;

describe('routing table', () => {
  it('routes to the longest API path, and follows an API moved to another path', () => {
    const table = createRoutingTable();
    table.upsert(api('short', 'a'), all('short'));
    table.upsert(api('deep', 'a/b/c'), all('deep'));
    expect(matched(table, '/a/b/c/x')).toBe('deep');
    expect(matched(table, '/a/b/x')).toBe('short');
    table.upsert(api('deep', 'z'), all('deep'));
    expect(matched(table, '/a/b/c/x')).toBe('short');
    expect(matched(table, '/z/x')).toBe('deep');
    expect(table.size).toBe(2);
  });

  it('takes an API out with its routes, and searches no deeper than the deepest path left', () => {
    const table = createRoutingTable();
    table.upsert(api('root', ''), all('root'));
    table.upsert(api('deep', 'a/b/c/d'), all('deep'));
    table.remove('deep');
    table.remove('never-there');
    expect(matched(table, '/a/b/c/d/e')).toBe('root');
    expect(table.size).toBe(1);
    expect([...table.origins()]).toEqual(['http://root.example:8080']);
  });

  it('does not lose the path of an API that took it over when the one that had it is applied after', () => {
    const table = createRoutingTable();
    table.upsert(api('old', 'shared'), all('old'));
    table.upsert(api('new', 'shared'), all('new'));
    table.upsert(api('old', 'elsewhere'), all('old'));
    expect(matched(table, '/shared/x')).toBe('new');
    expect(matched(table, '/elsewhere/x')).toBe('old');
  });

  it('replaces the operations of an API put in again', () => {
    const table = createRoutingTable();
    table.upsert(api('e', 'e'), all('e'));
    table.upsert(api('e', 'e'), [{ apiId: 'e', id: 'post', method: 'POST', urlTemplate: '/items' }]);
    expect(table.match('GET', '/e/items')).toBeUndefined();
    expect(table.match('POST', '/e/items')?.operation.id).toBe('post');
  });
});
