/**
 * Error answers in each service's documented shape (reference section 5). The gateway's carry the request
 * id; the services' own bodies do not (their request id is only in the X-Request-Id header).
 */
import type { Dialect } from './scenario.js';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function gatewayError(status: number, code: string, message: string, requestId: string): Answer {
  return { status, body: { error_code: code, error_msg: message, request_id: requestId } };
}

export function apiNotFound(requestId: string): Answer {
  return gatewayError(
    404,
    'APIG.0101',
    'The API does not exist or has not been published in the environment',
    requestId,
  );
}

/** APIG.0308 "policy user over ratelimit"; Retry-After tells a polite client when to come back. */
export function throttled(limit: number, retryAfterSeconds: number, requestId: string): Answer {
  return {
    ...gatewayError(
      429,
      'APIG.0308',
      `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`,
      requestId,
    ),
    headers: { 'Retry-After': String(retryAfterSeconds) },
  };
}

/** Codes from the APIG error table: 0103 backend missing (500), 0202 backend unavailable (502), 0203 timeout (504). */
const BACKEND_FAILURES: Record<number, [string, string]> = {
  500: ['APIG.0103', 'The backend does not exist.'],
  502: ['APIG.0202', 'Backend unavailable'],
  503: ['APIG.0202', 'Backend unavailable'],
  504: ['APIG.0203', 'Backend timeout'],
};

export function backendFailure(status: 500 | 502 | 503 | 504, requestId: string): Answer {
  const [code, message] = BACKEND_FAILURES[status] ?? ['APIG.0202', 'Backend unavailable'];
  return gatewayError(status, code, message, requestId);
}

/** What a proxy in front of the gateway sends when it, not the API, answers. */
export function htmlErrorPage(status: 200 | 502): Answer {
  const title = status === 502 ? '502 Bad Gateway' : 'Service notice';
  return {
    status,
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    headers: { 'Content-Type': 'text/html' },
  };
}

export function dliError(status: number, code: string, message: string): Answer {
  return { status, body: { error_code: code, error_msg: message } };
}

/** DLI answers an unknown job with DLI.0002 and HTTP 400 (its pages list only 200 and 400). */
export function dliJobNotFound(jobId: string): Answer {
  return dliError(400, 'DLI.0002', `The job ${jobId} does not exist.`);
}

export function dliBadParameter(message: string): Answer {
  return dliError(400, 'DLI.0001', message);
}

/** The progress API's documented error (seed 002, table 5). */
export function dliQueueBusy(): Answer {
  return dliError(400, 'DLI.0999', 'The queue backend version is too old or the queue is busy.');
}

/** Seed 003's failure response, verbatim. */
export function dataArtsJobNotFound(): Answer {
  return { status: 400, body: { error_code: 'DLF.0100', error_msg: 'The job does not exists.' } };
}

/**
 * CDM's error body: `{errCode, externalMessage}` on its pages, `{error_code, error_msg}` as the official
 * SDKs read every service's errors.
 */
export function cdmJobNotFound(jobName: string, dialect: Dialect): Answer {
  return cdmError('Cdm.0100', `Job ${jobName} does not exist.`, dialect);
}

/** CDM: a request body that is not the API's (Cdm.0000, the code CDM gives most failures). */
export function cdmBadRequest(message: string, dialect: Dialect): Answer {
  return cdmError('Cdm.0000', message, dialect);
}

function cdmError(code: string, message: string, dialect: Dialect): Answer {
  return {
    status: 400,
    body:
      dialect === 'documented'
        ? { errCode: code, externalMessage: message }
        : { error_code: code, error_msg: message },
  };
}

/** DataArts: a run (instance) of a job that does not exist. */
export function dataArtsInstanceNotFound(): Answer {
  return { status: 400, body: { error_code: 'DLF.0137', error_msg: 'The job instance does not exist.' } };
}

/** DataArts: a request body that is not the API's. */
export function dataArtsBadRequest(message: string): Answer {
  return { status: 400, body: { error_code: 'DLF.0001', error_msg: message } };
}

/** A 204: the start and stop APIs of DataArts answer no body. */
export const NO_CONTENT: Answer = { status: 204, body: undefined };
