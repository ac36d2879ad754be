import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in time that depends on neither their contents nor their lengths: both
 * are hashed to SHA-256 digests of equal length first, since `timingSafeEqual` itself refuses
 * (quickly) inputs of different lengths, which would tell an attacker the length. Strings are
 * compared as UTF-8.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
