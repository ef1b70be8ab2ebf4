import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Requires `Authorization: Bearer <apiKey>`. The key is compared in constant time: both
 * sides are hashed to equal-length digests first, so neither the content nor the length
 * of the key leaks through timing.
 */
export function bearerAuth(apiKey: string): RequestHandler {
  if (apiKey.length === 0) throw new TypeError('bearerAuth: the API key must not be empty');
  const expected = digest(apiKey);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
    const given = match?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="orderflow"');
    next(
      new HttpError(
        401,
        'unauthorized',
        header === undefined
          ? 'Missing Authorization header: send Authorization: Bearer <api key>'
          : 'Invalid API key',
      ),
    );
  };
}
