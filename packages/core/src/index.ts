export type { AccessKeyCredentials, SigningRequest, SignOptions } from './auth/signer.js';
export {
  buildCanonicalRequest,
  canonicalQuery,
  canonicalUri,
  encodeRfc3986,
  formatSdkDate,
  SIGNING_ALGORITHM,
  sha256Hex,
  signRequest,
  stringToSign,
} from './auth/signer.js';
