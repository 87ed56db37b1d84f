/**
 * The policy documents Azure API Management ships, as Azure writes them (CRLF line ends and the
 * editor's comment included), so that a fresh Tollgate reads back what a fresh Azure instance does.
 */

const AZURE_EDITOR_COMMENT = [
  '<!--',
  '    IMPORTANT:',
  '    - Policy elements can appear only within the <inbound>, <outbound>, <backend> section elements.',
  '    - Only the <forward-request> policy element can appear within the <backend> section element.',
  '    - To apply a policy to the incoming request (before it is forwarded to the backend service), place a corresponding policy element within the <inbound> section element.',
  '    - To apply a policy to the outgoing response (before it is sent back to the caller), place a corresponding policy element within the <outbound> section element.',
  '    - To add a policy position the cursor at the desired insertion point and click on the round button associated with the policy.',
  '    - To remove a policy, delete the corresponding policy statement from the policy document.',
  '    - Policies are applied in the order of their appearance, from the top down.',
  '-->',
];

function crlf(lines: readonly string[]): string {
  return lines.join('\r\n');
}

/** The global policy of a new instance: nothing but forwarding the call to the backend. */
export const DEFAULT_GLOBAL_POLICY_XML = crlf([
  ...AZURE_EDITOR_COMMENT,
  '<policies>',
  '  <inbound />',
  '  <backend>',
  '    <forward-request />',
  '  </backend>',
  '  <outbound />',
  '  <on-error />',
  '</policies>',
]);

/** The built-in Starter product's policy: 5 calls per minute, 100 calls per week; no on-error section. */
export const STARTER_POLICY_XML = crlf([
  '<policies>',
  '  <inbound>',
  '    <rate-limit calls="5" renewal-period="60" />',
  '    <quota calls="100" renewal-period="604800" />',
  '    <base />',
  '  </inbound>',
  '  <backend>',
  '    <base />',
  '  </backend>',
  '  <outbound>',
  '    <base />',
  '  </outbound>',
  '</policies>',
]);

/** What a product, API or operation without a policy of its own behaves as: everything inherited. */
export const EMPTY_SCOPE_POLICY_XML = crlf([
  '<policies>',
  '  <inbound>',
  '    <base />',
  '  </inbound>',
  '  <backend>',
  '    <base />',
  '  </backend>',
  '  <outbound>',
  '    <base />',
  '  </outbound>',
  '  <on-error>',
  '    <base />',
  '  </on-error>',
  '</policies>',
]);
