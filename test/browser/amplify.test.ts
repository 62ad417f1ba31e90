/**
 * Amplify JS v6 in real Chromium against idpool, from the page of examples/amplify-browser
 * (served from `localhost:<port>`, idpool is at `127.0.0.1:<port>`): a guest's session, and a
 * user signed in to cognito-local (started here, on a free port) whose session holds
 * authenticated credentials of an identity linked to that user. idpool is configured with the
 * `providers` snippet of docs/federation.md#a-local-user-pool-emulator, as documented.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ExamplePages } from "../../examples/amplify-browser/src/api.ts";
import { useBrowser } from "../support/chromium.ts";
import {
	type CognitoLocal,
	exampleProviders,
	startCognitoLocal,
} from "../support/cognito-local.ts";
import { setUpExample } from "../support/example.ts";
import {
	callerOf,
	currentSession,
	loginsOf,
	showSession,
	signIn,
	signOut,
} from "../support/example-page.ts";
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

	test("a guest: fetchAuthSession() answers an identity and credentials that STS recognises", async () => {
		const session = await browser.withPage(pageOf(false), async (page) => {
			// As a person would: the page's button, its output.
			const shown = await showSession(page);
			// Amplify keeps the identity: asking again answers the same one.
			const again = await currentSession(page);
			assert.equal(again.identityId, shown.identityId);
			return shown;
		});
		assert.match(session.identityId ?? "", /^us-east-1:[0-9a-f-]{36}$/);
		assert.equal(session.signedIn, false);
		assert.match(session.credentials?.accessKeyId ?? "", /^ASIA/);
		assert.equal(
			await callerOf(t.url, session),
			"arn:aws:sts::000000000000:assumed-role/Cognito_Unauth/CognitoIdentityCredentials",
		);
		assert.deepEqual(await loginsOf(t.client, session.identityId), []);
	});

	test("signed in to cognito-local: authenticated credentials of an identity linked to the user; the same identity again, another for another user", async () => {
		await browser.withPage(pageOf(true), async (page) => {
			const alice = await signIn(page, ALICE, example.users[ALICE] as string);
			assert.equal(alice.signedIn, true);
			assert.match(alice.userSub ?? "", /^[0-9a-f-]{36}$/);
			assert.match(alice.identityId ?? "", /^us-east-1:/);
			assert.equal(
				await callerOf(t.url, alice),
				"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/CognitoIdentityCredentials",
			);
			// Amplify named the login by the token's issuer without its scheme.
			assert.deepEqual(await loginsOf(t.client, alice.identityId), [
				providerName,
			]);

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
			assert.deepEqual(await loginsOf(t.client, bob.identityId), [
				providerName,
			]);
			assert.equal(
				await callerOf(t.url, bob),
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
			const session = await currentSession(page);
			assert.equal(session.signedIn, false);
		});
	});
});
