import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_GROUP_ID,
  DEVELOPERS_GROUP_ID,
  GROUP_DESCRIPTION_MAX,
  GROUP_DISPLAY_NAME_MAX,
  GROUP_ID_MAX,
  GROUP_TYPES,
  GUESTS_GROUP_ID,
  SYSTEM_GROUPS,
} from '../../src/domain/group.js';

describe('groups', () => {
  it('come in the three types Azure has', () => {
    expect(GROUP_TYPES).toEqual(['custom', 'system', 'external']);
  });

  it('include the three system groups of Azure, by id and display name', () => {
    expect(SYSTEM_GROUPS.map((g) => [g.id, g.displayName])).toEqual([
      ['administrators', 'Administrators'],
      ['developers', 'Developers'],
      ['guests', 'Guests'],
    ]);
    expect([ADMINISTRATORS_GROUP_ID, DEVELOPERS_GROUP_ID, GUESTS_GROUP_ID]).toEqual(['administrators', 'developers', 'guests']);
  });

  it('describe each system group as built in, and who falls into it', () => {
    const [admins, developers, guests] = SYSTEM_GROUPS;
    for (const g of SYSTEM_GROUPS) {
      expect(g.description).toMatch(new RegExp(`^${g.displayName} is a built-in group\\. Its membership is managed by the system\\. `));
      expect(g.description.length).toBeLessThanOrEqual(GROUP_DESCRIPTION_MAX);
    }
    expect(admins?.description).toMatch(/Administrators of this Tollgate instance fall into this group\.$/);
    expect(developers?.description).toMatch(/Signed-in users fall into this group\.$/);
    expect(guests?.description).toMatch(/Unauthenticated users visiting the developer portal fall into this group\.$/);
  });

  it("have Azure's limits", () => {
    expect(GROUP_ID_MAX).toBe(256);
    expect(GROUP_DISPLAY_NAME_MAX).toBe(300);
    expect(GROUP_DESCRIPTION_MAX).toBe(1000);
  });
});
