/** SQL for products. (Filled in with the products and gateway work.) */
export {};
