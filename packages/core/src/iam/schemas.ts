import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';

/** An ISO 8601 time such as 2024-06-10T09:30:00.000000Z, as IAM writes `expires_at`. */
const isoTime = lazySchema(() =>
  z
    .string()
    .refine(
      (value) => Number.isFinite(Date.parse(value)),
      'expected a time such as 2024-06-10T09:30:00.000000Z',
    ),
);

/**
 * `POST /v3.0/OS-AUTH/id-token/tokens` → 201. The IAM token itself travels in
 * the X-Subject-Token header; the body describes it.
 */
export const IdTokenTokenResponse = lazySchema(() =>
  z.looseObject({
    token: z.looseObject({
      expires_at: isoTime,
      issued_at: z.string().optional(),
      methods: z.array(z.string()).optional(),
      user: z.looseObject({ name: z.string().optional(), id: z.string().optional() }).optional(),
    }),
  }),
);
export type IdTokenTokenResponse = z.infer<typeof IdTokenTokenResponse>;

/** `POST /v3.0/OS-CREDENTIAL/securitytokens` → 201: temporary AK/SK and the security token to send with them. */
export const SecurityTokenResponse = lazySchema(() =>
  z.looseObject({
    credential: z.looseObject({
      access: z.string().min(1, 'expected a temporary access key'),
      secret: z.string().min(1, 'expected a temporary secret key'),
      securitytoken: z.string().min(1, 'expected a security token'),
      expires_at: isoTime,
    }),
  }),
);
export type SecurityTokenResponse = z.infer<typeof SecurityTokenResponse>;
