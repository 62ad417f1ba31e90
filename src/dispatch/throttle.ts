/**
 * @module dispatch/throttle
 * Optional request-rate quotas (docs/behaviour.md#quotas): off unless configured, then a token bucket per
 * operation and account (public operations share one bucket per operation) whose size is one
 * second's worth of requests. Excess calls answer TooManyRequestsException.
 */
import { TooManyRequestsException } from "../errors/service-errors.ts";
import type { Clock } from "../lib/clock.ts";
import { type Metrics, noMetrics } from "../lib/metrics.ts";

/** Requests per second allowed, by operation name; operations not named are not limited. */
export type RateLimits = Readonly<Record<string, number>>;

/**
 * AWS's documented default request rates of Cognito Identity, per account and second
 * (docs/behaviour.md#quotas): a server listening beyond loopback applies them unless
 * configured otherwise.
 */
export const AWS_RATE_LIMITS: RateLimits = Object.freeze({
	GetId: 25,
	GetOpenIdToken: 200,
	GetCredentialsForIdentity: 200,
	GetOpenIdTokenForDeveloperIdentity: 50,
	ListIdentities: 5,
	DeleteIdentities: 10,
	TagResource: 5,
	UntagResource: 5,
	ListTagsForResource: 10,
});

interface Bucket {
	tokens: number;
	at: number;
}

/** Decides whether a call may proceed under the configured rates. */
export class Throttle {
	readonly #rates: RateLimits;
	readonly #clock: Clock;
	readonly #buckets = new Map<string, Bucket>();
	readonly #metrics: Metrics;

	/** `metrics` is told of every call refused. */
	constructor(rates: RateLimits, clock: Clock, metrics: Metrics = noMetrics) {
		this.#rates = rates;
		this.#clock = clock;
		this.#metrics = metrics;
	}

	/** @throws TooManyRequestsException when `operation` is over its rate for `account`. */
	take(operation: string, account: string): void {
		const rate = this.#rates[operation];
		if (rate === undefined) return;
		const key = `${operation}\u0000${account}`;
		const now = this.#clock.now();
		const bucket = this.#buckets.get(key) ?? { tokens: rate, at: now };
		bucket.tokens = Math.min(
			rate,
			bucket.tokens + ((now - bucket.at) / 1000) * rate,
		);
		bucket.at = now;
		this.#buckets.set(key, bucket);
		if (bucket.tokens < 1) {
			this.#metrics.throttled(operation);
			throw new TooManyRequestsException("Rate exceeded");
		}
		bucket.tokens -= 1;
	}
}
