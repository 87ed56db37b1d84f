/** SQL for apis. (Filled in with the products and gateway work.) */
export {};
