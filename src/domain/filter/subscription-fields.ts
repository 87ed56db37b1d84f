/**
 * `$filter` fields of Subscription_List, UserSubscription_List and ProductSubscriptions_List. The
 * columns are those of the derived table `s` built by src/store/subscriptions-repo.ts: the
 * subscription's own columns plus `owner_ref` ('/users/{id}') and `product_id` (the product of a
 * product scope). `ownerId` and `scope` compare with the relative form; a full ARM id in the
 * literal is reduced to it by the service.
 */
import { SUBSCRIPTION_STATES } from '../subscription.js';
import { freeze, text, type FilterFieldTable } from './fields.js';

export const SUBSCRIPTION_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('s.id'),
  displayName: text('s.display_name', { nullable: true }),
  stateComment: text('s.state_comment', { nullable: true }),
  ownerId: text('s.owner_ref', { nullable: true }),
  scope: text('s.scope'),
  userId: text('s.owner_id', { nullable: true }),
  productId: text('s.product_id', { nullable: true }),
  state: {
    type: 'enum',
    values: SUBSCRIPTION_STATES,
    operators: ['eq'],
    functions: [],
    column: 's.state',
    fold: 'none',
  },
});
