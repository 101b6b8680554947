import { Type } from '@sinclair/typebox';

/** `POST /admin/v1/openadr/clients`: create or rotate a party's OpenADR client credentials. */
export const ClientCredentialsRequest = Type.Object(
  {
    party: Type.String({
      pattern: '^urn:flexgate:[a-z]+:[a-z0-9._-]{1,60}$',
      description: 'The party whose certificate the VEN or business logic client uses',
    }),
  },
  { additionalProperties: false },
);

/** The answer: the secret is shown this once; the gateway keeps only its scrypt hash. */
export const ClientCredentials = Type.Object({
  clientId: Type.String({ description: 'The party URN' }),
  clientSecret: Type.String(),
  tokenUrl: Type.String({ description: 'Where to obtain tokens with these credentials (OAuth 2 client credentials, over mutual TLS)' }),
});
