/** What an emailed link's page is given in its URL or form: the link's token, within reason. */

/** Email link tokens are 43 base64url characters; anything far longer is not worth a database look-up. */
export const TOKEN_MAX_LENGTH = 200;

export function linkToken(value: string): string | undefined {
  return value !== '' && value.length <= TOKEN_MAX_LENGTH ? value : undefined;
}
