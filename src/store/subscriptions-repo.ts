/** SQL for subscriptions. (Filled in with the products and gateway work.) */
export {};
