import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Presence } from './Presence';

/**
 * One hash per event: a field per process holding "<count>:<valid until, in Redis seconds>". A process
 * that dies stops refreshing its field and drops out of the total when the field expires.
 * KEYS: the events' hashes. ARGV: process id, seconds a report stays valid, then a count per key.
 */
const REPORT_SCRIPT = `
local now = tonumber(redis.call('TIME')[1])
local totals = {}
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[i + 2])
  if count > 0 then
    redis.call('HSET', key, ARGV[1], count .. ':' .. (now + tonumber(ARGV[2])))
  else
    redis.call('HDEL', key, ARGV[1])
  end
  local total = 0
  local fields = redis.call('HGETALL', key)
  for j = 1, #fields, 2 do
    local n, validUntil = string.match(fields[j + 1], '^(%d+):(%d+)$')
    if n and tonumber(validUntil) >= now then
      total = total + tonumber(n)
    else
      redis.call('HDEL', key, fields[j])
    end
  end
  redis.call('EXPIRE', key, ARGV[2])
  totals[i] = total
end
return totals`;

/** Attendee counts summed over the server processes sharing a Redis; one round trip per report. */
export class RedisPresence implements Presence {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #processId = crypto.randomUUID();
  readonly #validSeconds: number;
  /** Events this process reported a count for, so that it reports 0 once when it stops serving one. */
  #reported = new Set<string>();

  /** `validSeconds` must exceed the reporting interval by enough to ride out a slow round trip. */
  constructor(redis: Redis, keyPrefix: string, validSeconds: number) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
    this.#validSeconds = validSeconds;
  }

  async totals(localCounts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
    // Without Redis the other processes cannot be counted: this one's own attendees are what is known.
    if (this.#redis.status !== 'ready') return new Map(localCounts);
    const counts = new Map(localCounts);
    for (const slug of this.#reported) if (!counts.has(slug)) counts.set(slug, 0);
    if (counts.size === 0) return new Map();
    const slugs = [...counts.keys()];
    const totals = (await this.#redis.eval(
      REPORT_SCRIPT,
      slugs.length,
      ...slugs.map((slug) => `${this.#keyPrefix}chat:presence:${slug}`),
      this.#processId,
      this.#validSeconds,
      ...slugs.map((slug) => counts.get(slug)!),
    )) as number[];
    this.#reported = new Set(slugs.filter((slug) => counts.get(slug)! > 0));
    return new Map(slugs.map((slug, i) => [slug, totals[i] ?? 0]));
  }

  /** Takes this process's attendees out of the totals at once rather than when its reports expire. */
  async close(): Promise<void> {
    await this.totals(new Map());
  }
}
