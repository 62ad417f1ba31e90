/**
 * The AWS SDK for JavaScript v3 in real Chromium against idpool, from the page of
 * examples/amplify-browser/sdk.html, served from another origin (`localhost:<port>`) than
 * idpool's (`127.0.0.1:<port>`): every call crosses origins, so the browser checks idpool's
 * CORS answers (pre-flights included) exactly as it would for an application.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import type {
	ExamplePages,
	SdkApi,
} from "../../examples/amplify-browser/src/api.ts";
import { useBrowser } from "../support/chromium.ts";
import { type ServerFixture, useServer } from "../support/server.ts";

const UNAUTH = "arn:aws:iam::000000000000:role/Cognito_Unauth";
const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A pool that lets guests in, with a role for them. */
async function guestPool(t: ServerFixture): Promise<string> {
	const pool = await t.client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "browser",
			AllowUnauthenticatedIdentities: true,
		}),
	);
	const poolId = pool.IdentityPoolId as string;
	await t.client.send(
		new SetIdentityPoolRolesCommand({
			IdentityPoolId: poolId,
			Roles: { unauthenticated: UNAUTH },
		}),
	);
	return poolId;
}

describe("the AWS SDK v3 in Chromium, from a page of another origin", () => {
	const browser = useBrowser();
	const t = useServer();
	/** The same server's settings, but CORS restricted to an origin that is not the page's. */
	const restricted = useServer({
		config: { corsOrigins: ["http://localhost:1"] },
	});
	let poolId: string;
	before(async () => {
		poolId = await guestPool(t);
	});

	/** Runs `window.idpoolSdk[name](endpoint, identityPoolId, ...more)` in a fresh page of sdk.html. */
	async function onSdkPage<K extends keyof SdkApi>(
		name: K,
		endpoint: string,
		identityPoolId: string,
		...more: string[]
	): Promise<Awaited<ReturnType<SdkApi[K]>>> {
		const args = [name, endpoint, identityPoolId, ...more];
		const answer = await browser.withPage("/sdk.html", (page) =>
			page.evaluate(
				([n, ...rest]) =>
					(
						(globalThis as unknown as ExamplePages).idpoolSdk[
							n as keyof SdkApi
						] as (...a: string[]) => Promise<unknown>
					)(...rest),
				args,
			),
		);
		return answer as Awaited<ReturnType<SdkApi[K]>>;
	}

	test("GetId and GetCredentialsForIdentity; the request id is readable", async () => {
		const answer = await onSdkPage("guest", t.url, poolId);
		assert.match(answer.identityId, /^us-east-1:[0-9a-f-]{36}$/);
		assert.equal(answer.credentialsIdentityId, answer.identityId);
		assert.match(answer.accessKeyId ?? "", /^ASIA/);
		assert.ok(Date.parse(answer.expiration ?? "") > Date.now());
		// x-amzn-RequestId is exposed: without it the SDK in a browser sees no request id.
		assert.match(answer.getIdRequestId ?? "", UUID);
	});

	test("fromCognitoIdentityPool's credentials sign STS GetCallerIdentity at idpool", async () => {
		const answer = await onSdkPage("whoAmI", t.url, poolId);
		assert.match(answer.identityId, /^us-east-1:/);
		assert.equal(answer.account, "000000000000");
		assert.equal(
			answer.arn,
			"arn:aws:sts::000000000000:assumed-role/Cognito_Unauth/CognitoIdentityCredentials",
		);
	});

	test("an error is parsed: its name, message, status and request id", async () => {
		const missing = "us-east-1:00000000-0000-4000-8000-000000000000";
		const error = await onSdkPage("failing", t.url, missing);
		assert.equal(error.name, "ResourceNotFoundException");
		assert.equal(error.message, `IdentityPool '${missing}' not found.`);
		assert.equal(error.httpStatusCode, 400);
		assert.match(error.requestId ?? "", UUID);
	});

	test("a server that does not allow the page's origin: the browser keeps the answer from the page", async () => {
		const otherPool = await guestPool(restricted);
		const error = await onSdkPage("failing", restricted.url, otherPool);
		// The SDK never sees an answer: the browser refused it (a TypeError of fetch).
		assert.equal(error.name, "TypeError");
		assert.equal(error.httpStatusCode, undefined);
	});

	describe("signed in with idpool's development issuer", () => {
		const dev = useServer({ config: { devIssuer: true } });
		let devPool: string;
		before(async () => {
			const providerName = `${new URL(dev.url).host}/dev-issuer`;
			const pool = await dev.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "dev issuer",
					AllowUnauthenticatedIdentities: false,
					OpenIdConnectProviderARNs: [
						`arn:aws:iam::000000000000:oidc-provider/${providerName}`,
					],
				}),
			);
			devPool = pool.IdentityPoolId as string;
			await dev.client.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: devPool,
					Roles: { authenticated: AUTH },
				}),
			);
		});

		test("a token minted from the page signs a user in; the same user finds the same identity, another user another", async () => {
			const alice = await onSdkPage(
				"devIssuerSignIn",
				dev.url,
				devPool,
				"alice",
			);
			assert.equal(alice.providerName, `${new URL(dev.url).host}/dev-issuer`);
			assert.match(alice.identityId, /^us-east-1:/);
			assert.equal(
				alice.arn,
				"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/CognitoIdentityCredentials",
			);
			const again = await onSdkPage(
				"devIssuerSignIn",
				dev.url,
				devPool,
				"alice",
			);
			assert.equal(again.identityId, alice.identityId);
			const bob = await onSdkPage("devIssuerSignIn", dev.url, devPool, "bob");
			assert.notEqual(bob.identityId, alice.identityId);
		});
	});
});
