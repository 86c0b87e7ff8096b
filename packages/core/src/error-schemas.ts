import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';
import { readSuccessFlag } from './schema-helpers.js';

// Codes are strings in every documented body ("APIGW.0301", "DLI.0002",
// "Cdm.0100"); a generic `code` may be an HTTP-style number. Both come out
// as strings.
const errorCode = lazySchema(() => z.union([z.string(), z.number()]).transform(String));

/** API gateway, DLI and DataArts DLF: `{error_code, error_msg, request_id?}` (reference section 5). */
export const ErrorCodeMsgBody = lazySchema(() =>
  z.looseObject({
    error_code: errorCode,
    error_msg: z.string(),
    request_id: z.string().optional(),
  }),
);
export type ErrorCodeMsgBody = z.infer<typeof ErrorCodeMsgBody>;

/** CDM: `{errCode: "Cdm.0100", externalMessage}`, sometimes with `code` and `message` too. */
export const CdmErrorBody = lazySchema(() =>
  z.looseObject({
    errCode: errorCode,
    externalMessage: z.string().optional(),
    code: errorCode.optional(),
    message: z.string().optional(),
  }),
);
export type CdmErrorBody = z.infer<typeof CdmErrorBody>;

/** DataArts DLF as the API explorer shows it: `{errorCode, errorMsg}`. */
export const ErrorCodeMsgCamelBody = lazySchema(() =>
  z.looseObject({
    errorCode: errorCode,
    errorMsg: z.string(),
  }),
);
export type ErrorCodeMsgCamelBody = z.infer<typeof ErrorCodeMsgCamelBody>;

/** Generic `{code, message}`. */
export const CodeMessageBody = lazySchema(() =>
  z.looseObject({
    code: errorCode,
    message: z.string(),
  }),
);
export type CodeMessageBody = z.infer<typeof CodeMessageBody>;

/** Generic nested `{error: {code, message}}`. */
export const NestedErrorBody = lazySchema(() =>
  z.looseObject({
    error: z.looseObject({
      code: errorCode,
      message: z.string(),
    }),
  }),
);
export type NestedErrorBody = z.infer<typeof NestedErrorBody>;

/**
 * DLI answers some failures with HTTP 200 and `is_success` false, as a
 * boolean or the string "false" (reference section 5): any flag that is not
 * clearly true, read the one way `readSuccessFlag` reads it.
 */
export const DliFailureBody = lazySchema(() =>
  z.looseObject({
    is_success: z.unknown().refine((v) => readSuccessFlag(v) === 'failure'),
    message: z.string(),
    error_code: errorCode.optional(),
  }),
);
export type DliFailureBody = z.infer<typeof DliFailureBody>;

export interface ErrorBodyInfo {
  code?: string;
  message?: string;
  requestId?: string;
}

const compact = (info: ErrorBodyInfo): ErrorBodyInfo => {
  const out: ErrorBodyInfo = {};
  if (info.code !== undefined) out.code = info.code;
  if (info.message !== undefined) out.message = info.message;
  if (info.requestId !== undefined) out.requestId = info.requestId;
  return out;
};

// Most specific first: the service-named keys before the generic `code` /
// `message`, because a CDM body may carry `code` and `message` beside
// `errCode`, and the generic shape would otherwise win with less detail.
const readers: ReadonlyArray<(body: unknown) => ErrorBodyInfo | undefined> = [
  (body) => {
    const r = ErrorCodeMsgBody.safeParse(body);
    return r.success
      ? { code: r.data.error_code, message: r.data.error_msg, requestId: r.data.request_id }
      : undefined;
  },
  (body) => {
    const r = CdmErrorBody.safeParse(body);
    return r.success
      ? { code: r.data.errCode, message: r.data.externalMessage ?? r.data.message }
      : undefined;
  },
  (body) => {
    const r = ErrorCodeMsgCamelBody.safeParse(body);
    return r.success ? { code: r.data.errorCode, message: r.data.errorMsg } : undefined;
  },
  (body) => {
    const r = DliFailureBody.safeParse(body);
    return r.success ? { code: r.data.error_code, message: r.data.message } : undefined;
  },
  (body) => {
    const r = NestedErrorBody.safeParse(body);
    return r.success ? { code: r.data.error.code, message: r.data.error.message } : undefined;
  },
  (body) => {
    const r = CodeMessageBody.safeParse(body);
    return r.success ? { code: r.data.code, message: r.data.message } : undefined;
  },
];

/**
 * The code, message and request id of a Huawei Cloud error body, whichever
 * documented shape it has; undefined when it has none of them. The request
 * id is taken from the body's `request_id` when a shape lacks its own; the
 * `X-Request-Id` header is the caller's business.
 */
export function extractErrorInfo(body: unknown): ErrorBodyInfo | undefined {
  for (const read of readers) {
    const info = read(body);
    if (info === undefined) continue;
    if (info.requestId === undefined && typeof body === 'object' && body !== null && 'request_id' in body) {
      const requestId = body.request_id;
      if (typeof requestId === 'string') info.requestId = requestId;
    }
    return compact(info);
  }
  return undefined;
}
