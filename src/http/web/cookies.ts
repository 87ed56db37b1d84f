/**
 * Cookies without a plugin: reading the Cookie header and writing Set-Cookie values. Every cookie
 * the portal writes is HttpOnly with Path=/, SameSite=Lax unless told otherwise, and Secure when
 * the portal's public URL is https.
 */

export const SESSION_COOKIE = 'tg_session';
export const CSRF_COOKIE = 'tg_csrf';

/** Reads a Cookie header. The first occurrence of a name wins (the browser sends the most specific path first). */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === '' || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      // A value that is not valid percent-encoding is not one of ours: ignore it.
    }
  }
  return cookies;
}

export interface CookieOptions {
  secure: boolean;
  sameSite?: 'Lax' | 'Strict';
  /** Seconds; 0 removes the cookie. Without it, the cookie lasts until the browser closes. */
  maxAge?: number;
  /** Default `/`; the admin UI's cookies are sent to `/admin` only. */
  path?: string;
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!NAME.test(name)) throw new Error(`invalid cookie name ${name}`);
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, 'HttpOnly', `SameSite=${options.sameSite ?? 'Lax'}`];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  if (options.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A Set-Cookie value that makes the browser forget the cookie. */
export function clearCookie(name: string, options: Omit<CookieOptions, 'maxAge'>): string {
  return serializeCookie(name, '', { ...options, maxAge: 0 });
}
