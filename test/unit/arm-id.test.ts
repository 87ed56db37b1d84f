import { describe, expect, it } from 'vitest';
import { entityIdOf, isFullArmId, serviceRelativeId } from '../../src/domain/arm-id.js';

// Mutant still alive: the empty catch of the percent-decoding → {} is equivalent (the function then
// ends without a return, which is undefined as well).

const SERVICE = '/subscriptions/0000-1111/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/tollgate';

describe('serviceRelativeId', () => {
  it("is the part of a full id after the service's", () => {
    expect(serviceRelativeId(`${SERVICE}/products/starter`)).toBe('/products/starter');
    expect(serviceRelativeId(`${SERVICE}/apis/echo/operations/get`)).toBe('/apis/echo/operations/get');
    expect(serviceRelativeId(`${SERVICE}/`)).toBe('/');
  });

  it('is / for the service itself', () => {
    expect(serviceRelativeId(SERVICE)).toBe('/');
  });

  it('reads the provider and the service without regard to case', () => {
    expect(serviceRelativeId('/subscriptions/s/resourcegroups/r/providers/microsoft.apimanagement/SERVICE/t/users/1')).toBe('/users/1');
  });

  it('takes a value without the service part as relative already', () => {
    for (const raw of ['/products/starter', 'starter', '', '/', '/providers/Microsoft.ApiManagement/service/', '/providers/MicrosoftXApiManagement/service/t/apis']) {
      expect(serviceRelativeId(raw)).toBe(raw);
    }
  });
});

describe('isFullArmId', () => {
  it("is whether the value holds the service's part", () => {
    expect(isFullArmId(`${SERVICE}/products/starter`)).toBe(true);
    expect(isFullArmId(SERVICE)).toBe(true);
    expect(isFullArmId('/providers/microsoft.apimanagement/service/t')).toBe(true);
    expect(isFullArmId('/products/starter')).toBe(false);
    expect(isFullArmId('starter')).toBe(false);
    expect(isFullArmId('/providers/Microsoft.ApiManagement/service/')).toBe(false);
    expect(isFullArmId('/providers/Microsoft.Web/service/t/products/starter')).toBe(false);
  });
});

describe('entityIdOf', () => {
  it('reads the id from a relative or a full id', () => {
    expect(entityIdOf('/users/jane', 'users')).toBe('jane');
    expect(entityIdOf(`${SERVICE}/users/jane`, 'users')).toBe('jane');
  });

  it('reads the collection without regard to case, in the value and in the name asked for', () => {
    expect(entityIdOf('/Users/jane', 'users')).toBe('jane');
    expect(entityIdOf('/users/jane', 'Users')).toBe('jane');
    expect(entityIdOf(`${SERVICE}/PRODUCTS/Starter`, 'products')).toBe('Starter');
  });

  it('allows one trailing slash', () => {
    expect(entityIdOf('/users/jane/', 'users')).toBe('jane');
    expect(entityIdOf(`${SERVICE}/users/jane/`, 'users')).toBe('jane');
  });

  it('percent-decodes the id, after checking it is a single segment', () => {
    expect(entityIdOf('/users/jane%20doe', 'users')).toBe('jane doe');
    expect(entityIdOf('/users/a%2Fb', 'users')).toBe('a/b');
    expect(entityIdOf('/users/%C3%A9', 'users')).toBe('é');
  });

  it('refuses bad percent-encoding', () => {
    expect(entityIdOf('/users/%E0%A4%A', 'users')).toBeUndefined();
    expect(entityIdOf('/users/%zz', 'users')).toBeUndefined();
    expect(entityIdOf('jane%', 'users', { bare: true })).toBe('jane%');
  });

  it('refuses child resources, other collections and an empty id', () => {
    for (const raw of [
      '/users/jane/identities',
      '/users/jane/identities/',
      '/users/a/b',
      '/users//',
      '/users/',
      '/users',
      '/groups/jane',
      '/groups/users/',
      '/x/users/jane',
      'users/jane',
      `${SERVICE}/groups/jane`,
      SERVICE,
      '',
    ]) {
      expect(entityIdOf(raw, 'users'), raw).toBeUndefined();
    }
  });

  it('takes a value without a slash as the id itself only when asked to (bare)', () => {
    expect(entityIdOf('jane', 'users')).toBeUndefined();
    expect(entityIdOf('jane', 'users', {})).toBeUndefined();
    expect(entityIdOf('jane', 'users', { bare: false })).toBeUndefined();
    expect(entityIdOf('jane', 'users', { bare: true })).toBe('jane');
    // Bare ids are taken as they are: no decoding.
    expect(entityIdOf('a%20b', 'users', { bare: true })).toBe('a%20b');
    expect(entityIdOf('', 'users', { bare: true })).toBeUndefined();
    // A value with a slash is read as an id, bare or not.
    expect(entityIdOf('/users/jane', 'users', { bare: true })).toBe('jane');
    expect(entityIdOf('/groups/jane', 'users', { bare: true })).toBeUndefined();
    expect(entityIdOf(`${SERVICE}/users/jane`, 'users', { bare: true })).toBe('jane');
  });
});
