/**
 * Amplify JS v6 in real Chromium against idpool, from the page of examples/amplify-browser
 * (served from `localhost:<port>`, idpool is at `127.0.0.1:<port>`): a guest's session, and a
 * user signed in to cognito-local (started here, on a free port) whose session holds
 * authenticated credentials of an identity linked to that user. idpool is configured with the
 * `providers` snippet of docs/federation.md#a-local-user-pool-emulator, as documented.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeIdentityCommand } from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { Page } from "playwright-core";
import type {
	ExamplePages,
	SessionSummary,
} from "../../examples/amplify-browser/src/api.ts";
import { useBrowser } from "../support/chromium.ts";
import {
	type CognitoLocal,
	exampleProviders,
	startCognitoLocal,
} from "../support/cognito-local.ts";
import { setUpExample } from "../support/example.ts";
import { useServer } from "../support/server.ts";

/** Users the example's setup.ts makes. */
const ALICE = "alice@example.com";
const BOB = "bob@example.com";

describe("Amplify in Chromium, with idpool and cognito-local", () => {
	let local: CognitoLocal;
	before(async () => {
		local = await startCognitoLocal();
	});
	after(() => local?.stop());
	const browser = useBrowser();
	const t = useServer(() => ({
		config: { providers: exampleProviders(local.port) },
	}));
	/** What the example's setup.ts made, and the page addresses for it. */
	let example: Awaited<ReturnType<typeof setUpExample>>;
	let providerName: string;
	before(async () => {
		example = await setUpExample({
			idpool: t.url,
			userPoolEndpoint: local.url,
			page: browser.pages,
		});
		providerName = `${local.address}/${example.settings.userPoolId}`;
	});

	/** The example's address for this pool, with the user pool or for guests only. */
	function pageOf(withUserPool: boolean): string {
		const { identityPoolId, identityPoolEndpoint } = example.settings;
		return withUserPool
			? example.address.slice(browser.pages.length)
			: `/?${new URLSearchParams({ identityPoolId, identityPoolEndpoint })}`;
	}

	const signIn = (page: Page, username: string, password: string) =>
		page.evaluate(
			([u, p]) =>
				(globalThis as unknown as ExamplePages).idpoolExample.signIn(u, p),
			[username, password] as const,
		);
	const signOut = (page: Page) =>
		page.evaluate(() =>
			(globalThis as unknown as ExamplePages).idpoolExample.signOut(),
		);

	/** Who idpool's STS endpoint says the session's credentials belong to. */
	async function callerOf(session: SessionSummary): Promise<string> {
		const c = session.credentials;
		assert.ok(c, "the session has credentials");
		const sts = new STSClient({
			endpoint: t.url,
			region: "us-east-1",
			maxAttempts: 1,
			credentials: {
				accessKeyId: c.accessKeyId,
				secretAccessKey: c.secretAccessKey,
				...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
			},
		});
		try {
			return (await sts.send(new GetCallerIdentityCommand({}))).Arn as string;
		} finally {
			sts.destroy();
		}
	}

	/** The logins idpool has linked to `identityId`. */
	async function loginsOf(identityId: string | undefined) {
		const identity = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: identityId }),
		);
		return identity.Logins ?? [];
	}

	test("a guest: fetchAuthSession() answers an identity and credentials that STS recognises", async () => {
		const session = await browser.withPage(pageOf(false), async (page) => {
			// As a person would: the page's button, its output.
			await page.click("#session");
			await page.locator("#output", { hasText: "identityId" }).waitFor();
			const shown = JSON.parse(
				(await page.textContent("#output")) ?? "",
			) as SessionSummary;
			// Amplify keeps the identity: asking again answers the same one.
			const again = await page.evaluate(() =>
				(globalThis as unknown as ExamplePages).idpoolExample.session(),
			);
			assert.equal(again.identityId, shown.identityId);
			return shown;
		});
		assert.match(session.identityId ?? "", /^us-east-1:[0-9a-f-]{36}$/);
		assert.equal(session.signedIn, false);
		assert.match(session.credentials?.accessKeyId ?? "", /^ASIA/);
		assert.equal(
			await callerOf(session),
			"arn:aws:sts::000000000000:assumed-role/Cognito_Unauth/CognitoIdentityCredentials",
		);
		assert.deepEqual(await loginsOf(session.identityId), []);
	});

	test("signed in to cognito-local: authenticated credentials of an identity linked to the user; the same identity again, another for another user", async () => {
		await browser.withPage(pageOf(true), async (page) => {
			const alice = await signIn(page, ALICE, example.users[ALICE] as string);
			assert.equal(alice.signedIn, true);
			assert.match(alice.userSub ?? "", /^[0-9a-f-]{36}$/);
			assert.match(alice.identityId ?? "", /^us-east-1:/);
			assert.equal(
				await callerOf(alice),
				"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/CognitoIdentityCredentials",
			);
			// Amplify named the login by the token's issuer without its scheme.
			assert.deepEqual(await loginsOf(alice.identityId), [providerName]);

			await signOut(page);
			const aliceAgain = await signIn(
				page,
				ALICE,
				example.users[ALICE] as string,
			);
			assert.equal(aliceAgain.userSub, alice.userSub);
			assert.equal(aliceAgain.identityId, alice.identityId);
			assert.notEqual(
				aliceAgain.credentials?.accessKeyId,
				alice.credentials?.accessKeyId,
			);

			await signOut(page);
			const bob = await signIn(page, BOB, example.users[BOB] as string);
			assert.notEqual(bob.userSub, alice.userSub);
			assert.notEqual(bob.identityId, alice.identityId);
			assert.deepEqual(await loginsOf(bob.identityId), [providerName]);
			assert.equal(
				await callerOf(bob),
				"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/CognitoIdentityCredentials",
			);
		});
	});

	test("a wrong password: cognito-local's refusal reaches the page, and no session is made", async () => {
		await browser.withPage(pageOf(true), async (page) => {
			const refused = await page.evaluate(() =>
				(globalThis as unknown as ExamplePages).idpoolExample
					.signIn("alice", "wrong")
					.then(
						() => "signed in",
						(err: Error) => err.name,
					),
			);
			assert.equal(refused, "NotAuthorizedException");
			const session = await page.evaluate(() =>
				(globalThis as unknown as ExamplePages).idpoolExample.session(),
			);
			assert.equal(session.signedIn, false);
		});
	});
});
