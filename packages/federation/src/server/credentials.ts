import { createHash, randomBytes } from 'node:crypto';

/**
 * Client tokens are 32 random bytes: guessing one is hopeless, so a fast hash is enough to keep the
 * database from holding usable credentials (a slow password hash protects low-entropy secrets only).
 */
export function generateToken(): string {
  return `lbp_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Client names appear in logs, URLs and reports. */
export const CLIENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
