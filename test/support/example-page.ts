/**
 * Test support: driving the Amplify page of examples/amplify-browser (index.html) in Chromium,
 * through its buttons as a person would or through `window.idpoolExample` as a script would,
 * and asking idpool what the sessions it showed are: who STS says their credentials belong
 * to, and which logins an identity has.
 */
import assert from "node:assert/strict";
import {
	type CognitoIdentityClient,
	DescribeIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { Page } from "playwright-core";
import type {
	ExamplePages,
	SessionSummary,
} from "../../examples/amplify-browser/src/api.ts";

/** How long the page may take to show the outcome of a button. */
const SHOW_TIMEOUT_MS = 30_000;

/** `idpoolExample.signIn(username, password)` in the page. */
export function signIn(
	page: Page,
	username: string,
	password: string,
): Promise<SessionSummary> {
	return page.evaluate(
		([u, p]) =>
			(globalThis as unknown as ExamplePages).idpoolExample.signIn(u, p),
		[username, password] as const,
	);
}

/** `idpoolExample.signOut()` in the page. */
export function signOut(page: Page): Promise<void> {
	return page.evaluate(() =>
		(globalThis as unknown as ExamplePages).idpoolExample.signOut(),
	);
}

/** `idpoolExample.session()` in the page. */
export function currentSession(page: Page): Promise<SessionSummary> {
	return page.evaluate(() =>
		(globalThis as unknown as ExamplePages).idpoolExample.session(),
	);
}

/**
 * Clicks the button `id` of index.html and answers what the page then shows under it
 * (`#output`, JSON); throws when that is an error. The output is emptied first, so that what
 * is read is this click's outcome, never the one before.
 */
export async function press(page: Page, id: string): Promise<unknown> {
	const output = await page.locator("#output").elementHandle();
	await output?.evaluate((element) => {
		element.textContent = "";
	});
	await page.click(`#${id}`);
	// The page shows "…" while it works, then the outcome.
	const shown = await page.waitForFunction(
		(element) => {
			const text = element?.textContent ?? "";
			return text !== "" && text !== "…" ? text : undefined;
		},
		output,
		{ timeout: SHOW_TIMEOUT_MS },
	);
	const text = (await shown.jsonValue()) as string;
	const outcome = JSON.parse(text) as unknown;
	if (typeof outcome === "object" && outcome !== null && "error" in outcome) {
		throw new Error(`the page showed an error after #${id}: ${text}`);
	}
	return outcome;
}

/** Clicks **Session**: the session the page shows (a guest's unless signed in). */
export async function showSession(page: Page): Promise<SessionSummary> {
	return (await press(page, "session")) as SessionSummary;
}

/** Types the user name and password into the page's form and clicks **Sign in**. */
export async function signInWithForm(
	page: Page,
	username: string,
	password: string,
): Promise<SessionSummary> {
	await page.fill("#username", username);
	await page.fill("#password", password);
	return (await press(page, "sign-in")) as SessionSummary;
}

/** Clicks **Sign out**. */
export async function signOutWithButton(page: Page): Promise<void> {
	assert.equal(await press(page, "sign-out"), "done");
}

/** Who the STS endpoint of idpool at `endpoint` says the session's credentials belong to. */
export async function callerOf(
	endpoint: string,
	session: SessionSummary,
): Promise<string> {
	const c = session.credentials;
	assert.ok(c, "the session has credentials");
	const sts = new STSClient({
		endpoint,
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

/** The logins idpool (the server of `client`) has linked to `identityId`. */
export async function loginsOf(
	client: CognitoIdentityClient,
	identityId: string | undefined,
): Promise<string[]> {
	const identity = await client.send(
		new DescribeIdentityCommand({ IdentityId: identityId }),
	);
	return identity.Logins ?? [];
}
