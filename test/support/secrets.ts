/**
 * Test support: the secrets a run uses or is given (keys, tokens, `Logins` values) and the
 * signatures and session tokens its SDK clients send, for the tests that search a log for
 * them (test/protocol/log-secrets.test.ts, test/sdk/request-logs.test.ts).
 */
import assert from "node:assert/strict";
import type { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import type { STSClient } from "@aws-sdk/client-sts";

/** Collects every secret a run uses or is given, and every signature its clients send. */
export class Secrets {
	readonly values = new Set<string>();

	add(...values: (string | undefined)[]): void {
		for (const v of values) {
			assert.ok(v, "a secret of the run is missing");
			this.values.add(v);
		}
	}

	/** Adds the `Authorization` header (and its signature) of every request `client` sends. */
	watch(client: CognitoIdentityClient | STSClient): void {
		// The deserialize step runs after signing: it sees the request as sent.
		(client.middlewareStack as CognitoIdentityClient["middlewareStack"]).add(
			(next) => async (args) => {
				const headers = (args.request as { headers?: Record<string, string> })
					.headers;
				this.addAuthorization(headers?.authorization);
				if (headers?.["x-amz-security-token"]) {
					this.add(headers["x-amz-security-token"]);
				}
				return next(args);
			},
			{ step: "deserialize", name: "captureAuthorization" },
		);
	}

	addAuthorization(value: string | undefined): void {
		if (!value) return;
		this.add(value, /Signature=([0-9a-f]+)/.exec(value)?.[1]);
	}

	/** The secrets found in `log`, as text or as the byte array a logged Buffer becomes. */
	foundIn(log: string): string[] {
		return [...this.values].filter(
			(secret) =>
				log.includes(secret) ||
				log.includes([...Buffer.from(secret)].join(",")),
		);
	}
}
