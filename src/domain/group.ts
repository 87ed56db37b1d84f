/** Groups decide which products a developer sees. Three system groups exist from the first start. */
export const GROUP_TYPES = ['custom', 'system', 'external'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];

export interface SystemGroup {
  id: string;
  displayName: string;
  description: string;
}

export const SYSTEM_GROUPS: readonly SystemGroup[] = [
  {
    id: 'administrators',
    displayName: 'Administrators',
    description:
      'Administrators is a built-in group. Its membership is managed by the system. Administrators of this Tollgate instance fall into this group.',
  },
  {
    id: 'developers',
    displayName: 'Developers',
    description:
      'Developers is a built-in group. Its membership is managed by the system. Signed-in users fall into this group.',
  },
  {
    id: 'guests',
    displayName: 'Guests',
    description:
      'Guests is a built-in group. Its membership is managed by the system. Unauthenticated users visiting the developer portal fall into this group.',
  },
];

export const DEVELOPERS_GROUP_ID = 'developers';
export const ADMINISTRATORS_GROUP_ID = 'administrators';
export const GUESTS_GROUP_ID = 'guests';

export const GROUP_ID_MAX = 256;
export const GROUP_DISPLAY_NAME_MAX = 300;
export const GROUP_DESCRIPTION_MAX = 1000;
