/** Where the API reference pages are (the product pages link to them, and they to each other). */
export const apiPath = (apiId: string) => `/apis/${encodeURIComponent(apiId)}`;
export const operationPath = (apiId: string, operationId: string) => `${apiPath(apiId)}/operations/${encodeURIComponent(operationId)}`;
