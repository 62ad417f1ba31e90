/**
 * The web console (docs/console.md) in real Chromium (Debian's, through playwright-core),
 * served by idpool itself and driven as a user drives it: a wrong secret, signing in,
 * creating a pool through the forms, editing it, "try it" (a token, its claims verified
 * against the JWKS, credentials and GetCallerIdentity), finding the identity, the signing
 * keys, the live view (which shows this account's calls and none of another's), deleting the
 * pool after a confirmation. Every page is checked with axe-core (no violation of serious or
 * critical impact) and photographed into test-artifacts/console/ (and, with
 * IDPOOL_CONSOLE_DOCS_IMAGES=1, into docs/images/console/ for docs/console.md). The page
 * runs under the console's Content-Security-Policy: a violation fails the test.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	DescribeIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	GetPrincipalTagAttributeMapCommand,
	ListIdentityPoolsCommand,
	LookupDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { LIVE_VIEWS_PER_ACCOUNT } from "../../src/server/console.ts";
import { launchChromium } from "../support/chromium.ts";
import { builtConsole, signedGet } from "../support/console.ts";
import { OTHER_ACCOUNT, TWO_ACCOUNTS } from "../support/identities.ts";
import { useServer } from "../support/server.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ARTIFACTS = join(ROOT, "test-artifacts", "console");
const DOCS_IMAGES = join(ROOT, "docs", "images", "console");
const AXE = readFileSync(
	createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
	"utf8",
);
const AUTH_ROLE = "arn:aws:iam::000000000000:role/ConsoleAuth";
const PROVIDER = "login.console.test";
const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Console1";
/** A role mapping is keyed by the user pool and the app client. */
const MAPPED = `${USER_POOL}:client1`;
const TOKEN_MAPPING = {
	Type: "Token",
	AmbiguousRoleResolution: "AuthenticatedRole",
};

interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	nodes: { target: string[] }[];
}

describe("the web console in Chromium", () => {
	const t = useServer(async () => ({
		credentials: TWO_ACCOUNTS,
		consoleDir: await builtConsole(),
	}));
	const other = () => t.sdk(OTHER_ACCOUNT);
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	const problems: string[] = [];
	let poolId = "";
	let identityId = "";

	before(async () => {
		mkdirSync(ARTIFACTS, { recursive: true });
		browser = await launchChromium();
		context = await browser.newContext({
			viewport: { width: 1200, height: 900 },
		});
		page = await context.newPage();
		page.on("console", (m) => {
			// A refused script, style or connection is logged by Chromium as a console error.
			if (m.type() === "error" && /Content Security Policy/i.test(m.text())) {
				problems.push(m.text());
			}
		});
		page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
	});
	after(async () => {
		await context?.close();
		await browser?.close();
	});

	/** Photographs the page, and checks it with axe-core. */
	async function checkPage(name: string): Promise<void> {
		const file = join(ARTIFACTS, `${name}.png`);
		await page.screenshot({ path: file, fullPage: true });
		if (process.env.IDPOOL_CONSOLE_DOCS_IMAGES === "1") {
			// The docs show what a window shows: the top of the page.
			mkdirSync(DOCS_IMAGES, { recursive: true });
			await page.screenshot({ path: join(DOCS_IMAGES, `${name}.png`) });
		}
		// Evaluated through the DevTools protocol, which the page's policy does not govern; the
		// console's own code is loaded only as the policy allows.
		await page.evaluate(AXE);
		const violations = (await page.evaluate(async () => {
			const axe = (
				globalThis as unknown as {
					axe: { run(): Promise<{ violations: unknown[] }> };
				}
			).axe;
			return (await axe.run()).violations;
		})) as AxeViolation[];
		const serious = violations
			.filter((v) => v.impact === "serious" || v.impact === "critical")
			.map(
				(v) =>
					`${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
			);
		assert.deepEqual(serious, [], `accessibility of ${name}`);
		assert.deepEqual(problems, [], "the page ran under its policy");
	}

	/** Waits for `text`, or fails at once with the error the page shows instead. */
	async function shows(text: string): Promise<void> {
		const error = page.locator('[role="alert"]:not(:empty)');
		await page.getByText(text).or(error).first().waitFor();
		if (await error.isVisible()) {
			throw new Error(`the page says: ${await error.textContent()}`);
		}
	}

	async function heading(): Promise<string> {
		return (await page.locator("h1").textContent()) ?? "";
	}

	test("a wrong secret is refused with a clear message", async () => {
		await page.goto(`${t.url}/console/`);
		assert.equal(await heading(), "Sign in");
		assert.equal(
			await page.getByRole("button", { name: "Sign out" }).isVisible(),
			false,
			"no sign-out before signing in",
		);
		await page.getByLabel("Access key ID", { exact: true }).fill("test");
		await page
			.getByLabel("Secret access key", { exact: true })
			.fill("not-the-secret");
		await page.getByRole("button", { name: "Sign in" }).click();
		const alert = page.getByRole("alert");
		await alert.getByText("Sign-in failed").waitFor();
		assert.equal(
			await alert.textContent(),
			"Sign-in failed: the secret access key is not the secret of access key test. (InvalidSignatureException)",
		);
		// Nothing is kept of a refused sign-in.
		assert.equal(
			await page.evaluate("sessionStorage.length"),
			0,
			"no session is stored",
		);
		await checkPage("sign-in-error");
	});

	test("signing in shows the account's pools", async () => {
		await page.getByLabel("Secret access key", { exact: true }).fill("test");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: "Identity pools" }).waitFor();
		await shows("Account 000000000000");
		await shows("No pools yet.");
		// The secret is in the tab's session storage, and nowhere else.
		const stored = await page.evaluate(
			"({ session: Object.keys(sessionStorage), local: localStorage.length, cookies: document.cookie })",
		);
		assert.deepEqual(stored, {
			session: ["idpool-console-session"],
			local: 0,
			cookies: "",
		});
		await checkPage("pools-empty");
	});

	test("creating a pool through the forms: a developer provider, a role, a tag", async () => {
		await page.getByRole("link", { name: "Create a pool" }).click();
		await page
			.getByRole("heading", { name: "Create an identity pool" })
			.waitFor();
		await page.getByLabel("Name", { exact: true }).fill("console-pool");
		await page
			.getByLabel("Developer provider name", { exact: true })
			.fill(PROVIDER);
		await page
			.getByLabel("Authenticated role ARN", { exact: true })
			.fill(AUTH_ROLE);
		await page
			.getByLabel("Pool tags", { exact: true })
			.fill("team=console\nstage=test");
		await checkPage("pool-create");
		await page.getByRole("button", { name: "Create pool" }).click();
		await page.getByRole("heading", { name: "Edit identity pool" }).waitFor();
		const status = page.getByRole("status").first();
		await status.getByText("Created pool console-pool").waitFor();
		poolId = /\((us-east-1:[0-9a-f-]{36})\)/.exec(
			(await status.textContent()) ?? "",
		)?.[1] as string;
		assert.ok(poolId, "the new pool's id is shown");
		// What the forms made, as the SDK reads it.
		const pool = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
		);
		assert.equal(pool.IdentityPoolName, "console-pool");
		assert.equal(pool.DeveloperProviderName, PROVIDER);
		assert.equal(pool.AllowUnauthenticatedIdentities, false);
		assert.deepEqual(pool.IdentityPoolTags, { team: "console", stage: "test" });
		const roles = await t.client.send(
			new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }),
		);
		assert.deepEqual(roles.Roles, { authenticated: AUTH_ROLE });
		await checkPage("pool-edit");
	});

	test("editing the pool: a public provider, guests, and a principal tag map", async () => {
		await page
			.getByLabel("Public providers", { exact: true })
			.fill("graph.facebook.com=1234567890");
		await page
			.getByLabel("Allow unauthenticated (guest) identities", { exact: true })
			.check();
		await page
			.getByLabel("Principal tag maps (JSON)", { exact: true })
			.fill('{"graph.facebook.com": {"PrincipalTags": {"user": "sub"}}}');
		await page
			.getByLabel("Cognito user pools", { exact: true })
			.fill(`${USER_POOL}, client1, check`);
		await page
			.getByLabel("Role mappings (JSON)", { exact: true })
			.fill(JSON.stringify({ [MAPPED]: TOKEN_MAPPING }));
		await page.getByRole("button", { name: "Save changes" }).click();
		await shows("Saved pool console-pool.");
		const pool = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
		);
		assert.deepEqual(pool.SupportedLoginProviders, {
			"graph.facebook.com": "1234567890",
		});
		assert.equal(pool.AllowUnauthenticatedIdentities, true);
		assert.equal(pool.DeveloperProviderName, PROVIDER);
		assert.deepEqual(pool.IdentityPoolTags, { team: "console", stage: "test" });
		const map = await t.client.send(
			new GetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: "graph.facebook.com",
			}),
		);
		assert.deepEqual(map.PrincipalTags, { user: "sub" });
		assert.deepEqual(pool.CognitoIdentityProviders, [
			{
				ProviderName: USER_POOL,
				ClientId: "client1",
				ServerSideTokenCheck: true,
			},
		]);
		const roles = await t.client.send(
			new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }),
		);
		assert.deepEqual(roles.RoleMappings, { [MAPPED]: TOKEN_MAPPING });
		assert.deepEqual(roles.Roles, { authenticated: AUTH_ROLE });
		// A bad JSON is the form's error, and nothing is sent.
		await page
			.getByLabel("Role mappings (JSON)", { exact: true })
			.fill("{not json");
		await page.getByRole("button", { name: "Save changes" }).click();
		await page
			.getByRole("alert")
			.getByText("Role mappings: not valid JSON")
			.waitFor();
		await page
			.getByLabel("Role mappings (JSON)", { exact: true })
			.fill(JSON.stringify({ [MAPPED]: TOKEN_MAPPING }));
	});

	test("try it: a token for a developer user, its claims verified against the JWKS, credentials and GetCallerIdentity", async () => {
		await page.getByRole("link", { name: "Try it" }).first().click();
		await page.getByRole("heading", { name: "Try it" }).waitFor();
		assert.equal(
			await page.getByLabel("Identity pool", { exact: true }).inputValue(),
			poolId,
			"the pool of the page it came from is chosen",
		);
		await page.getByLabel("Developer user id", { exact: true }).fill("alice");
		await page.getByRole("button", { name: "Get a token" }).click();
		await shows("Signature valid");
		identityId = (await page.locator("#identity-id").textContent()) as string;
		assert.match(identityId, /^us-east-1:[0-9a-f-]{36}$/);
		const claims = JSON.parse(
			(await page
				.getByLabel("Token claims", { exact: true })
				.textContent()) as string,
		);
		assert.equal(claims.aud, poolId);
		assert.equal(claims.sub, identityId);
		assert.equal(claims.iss, t.server.issuer);
		const header = JSON.parse(
			(await page
				.getByLabel("Token header", { exact: true })
				.textContent()) as string,
		);
		assert.equal(header.alg, "RS512");
		const jwks = await t.server.keys.jwks();
		assert.ok(jwks.keys.some((k) => k.kid === header.kid));
		await page
			.getByRole("button", { name: "Get AWS credentials for it" })
			.click();
		const caller = page.locator("#caller");
		await caller.waitFor();
		const text = (await caller.textContent()) ?? "";
		assert.match(
			text,
			/arn:aws:sts::000000000000:assumed-role\/ConsoleAuth\/CognitoIdentityCredentials/,
		);
		await checkPage("try-it");
	});

	test("identities: the developer user's identity is found, with its logins", async () => {
		await page.goto(`${t.url}/console/#/pools`);
		await page.getByRole("cell", { name: poolId, exact: true }).waitFor();
		await checkPage("pools");
		await page
			.getByRole("link", { name: "Identities of console-pool" })
			.click();
		await page
			.getByRole("heading", { name: "Identities of console-pool" })
			.waitFor();
		await page.getByRole("cell", { name: identityId, exact: true }).waitFor();
		// One identity: one page, no button for more.
		assert.equal(
			await page
				.getByRole("button", { name: "Show more identities" })
				.isVisible(),
			false,
		);
		await page.getByLabel("Developer user id", { exact: true }).fill("alice");
		await page.getByRole("button", { name: "Find" }).click();
		await shows(`Developer user alice has identity ${identityId}.`);
		const details = page.getByRole("region", { name: "Identity details" });
		await details.getByText(PROVIDER, { exact: true }).first().waitFor();
		await details.getByText("alice").waitFor();
		// An unknown user is the API's error, shown as such.
		await page.getByLabel("Developer user id", { exact: true }).fill("nobody");
		await page.getByRole("button", { name: "Find" }).click();
		await page
			.getByRole("alert")
			.getByText("ResourceNotFoundException")
			.waitFor();
		await page.getByLabel("Developer user id", { exact: true }).fill("alice");
		await page.getByRole("button", { name: "Find" }).click();
		await details.getByText("alice").waitFor();
		await checkPage("identities");
	});

	test("identities: merging two developer users, unlinking one, deleting the identity", async () => {
		const bob = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [PROVIDER]: "bob" },
			}),
		);
		assert.notEqual(bob.IdentityId, identityId);
		const merge = page.getByRole("form", {
			name: "Merge developer identities",
		});
		await merge
			.getByLabel("Source developer user id", { exact: true })
			.fill("bob");
		await merge
			.getByLabel("Destination developer user id", { exact: true })
			.fill("alice");
		await merge.getByRole("button", { name: "Merge" }).click();
		await shows(`Merged: both users now have identity ${identityId}.`);
		const lookup = (user: string) =>
			t.client.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: user,
				}),
			);
		assert.equal((await lookup("bob")).IdentityId, identityId);
		// alice's identity, found again, now has both users; bob is unlinked from it.
		await page.getByLabel("Developer user id", { exact: true }).fill("alice");
		await page.getByRole("button", { name: "Find" }).click();
		const details = page.getByRole("region", { name: "Identity details" });
		await details.getByRole("button", { name: "Unlink bob" }).click();
		await shows(`Unlinked developer user bob from ${identityId}.`);
		await assert.rejects(lookup("bob"), { name: "ResourceNotFoundException" });
		assert.equal((await lookup("alice")).IdentityId, identityId);
		// Deleting asks first: a refusal keeps the identity.
		page.once("dialog", (dialog) => void dialog.dismiss());
		await details.getByRole("button", { name: "Delete identity…" }).click();
		await t.client.send(
			new DescribeIdentityCommand({ IdentityId: identityId }),
		);
		page.once("dialog", (dialog) => void dialog.accept());
		await details.getByRole("button", { name: "Delete identity…" }).click();
		await shows(`Deleted identity ${identityId}.`);
		await assert.rejects(
			t.client.send(new DescribeIdentityCommand({ IdentityId: identityId })),
			{ name: "ResourceNotFoundException" },
		);
	});

	test("signing keys: the JWKS, and which key signs now", async () => {
		await page.getByRole("link", { name: "Signing keys" }).click();
		await page.getByRole("heading", { name: "Signing keys" }).waitFor();
		const signer = await t.server.keys.signer();
		await page.locator("#signing-now").getByText(signer.kid).waitFor();
		await page.getByRole("cell", { name: "signs now" }).waitFor();
		await checkPage("signing-keys");
	});

	test("the live view shows this account's calls, as they happen, and none of another account's", async () => {
		const theirs = await other().send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "not-yours",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await page.getByRole("link", { name: "Live requests" }).click();
		await page.getByRole("heading", { name: "Live requests" }).waitFor();
		const rows = page.locator("#calls tr");
		await rows
			.filter({ hasText: "GetOpenIdTokenForDeveloperIdentity" })
			.first()
			.waitFor();
		await rows.filter({ hasText: "CreateIdentityPool" }).first().waitFor();
		// A call made now appears while the page is open.
		const mine = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 5 }),
		);
		await rows
			.filter({ hasText: mine.$metadata.requestId as string })
			.waitFor();
		const later = await other().send(
			new ListIdentityPoolsCommand({ MaxResults: 5 }),
		);
		// One more of this account's, so that the other's, had it been sent, would be shown.
		const last = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 6 }),
		);
		await rows
			.filter({ hasText: last.$metadata.requestId as string })
			.waitFor();
		const table = (await page.locator("#calls").textContent()) ?? "";
		for (const id of [theirs.$metadata.requestId, later.$metadata.requestId]) {
			assert.ok(
				!table.includes(id as string),
				`the other account's call ${id}`,
			);
		}
		await checkPage("live-requests");
	});

	test("the live view connects again when its connection drops, and shows each call once", async () => {
		await page.goto(`${t.url}/console/#/live`);
		await page.getByRole("heading", { name: "Live requests" }).waitFor();
		const before = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 7 }),
		);
		const row = (id: string | undefined) =>
			page.locator(`#calls tr[data-request-id="${id}"]`);
		await row(before.$metadata.requestId).waitFor();
		// What a proxy's timeout, a network change or a server's restart does to the stream.
		t.server.app.server.closeAllConnections();
		await page.getByText("The connection to the server was lost").waitFor();
		const after = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 8 }),
		);
		await row(after.$metadata.requestId).waitFor();
		await page.getByText("following new calls").waitFor();
		// The server's backlog, sent again on connecting, adds no second row of a call.
		assert.equal(await row(before.$metadata.requestId).count(), 1);
		assert.equal(await row(after.$metadata.requestId).count(), 1);
		const ids = await page
			.locator("#calls tr")
			.evaluateAll((rows) =>
				rows.map((r) => r.getAttribute("data-request-id")),
			);
		assert.equal(new Set(ids).size, ids.length, "no call shown twice");
		assert.deepEqual(problems, [], "the page ran under its policy");
	});

	test("with every live view of the account taken, the page says so and connects once one is free", async () => {
		const url = `${t.url}/console/api/requests`;
		const key = { accessKeyId: "test", secretAccessKey: "test" };
		const views = Array.from(
			{ length: LIVE_VIEWS_PER_ACCOUNT },
			() => new AbortController(),
		);
		try {
			// The page's own view (of the test before) closed first: its place is given back once
			// the server sees its connection end.
			await page.goto("about:blank");
			for (const view of views) {
				let status = 0;
				for (let i = 0; i < 50 && status !== 200; i++) {
					if (i > 0) await new Promise((r) => setTimeout(r, 50));
					const answer = await signedGet(url, key, view.signal);
					status = answer.status;
					if (status !== 200) await answer.body?.cancel();
				}
				assert.equal(status, 200);
			}
			await page.goto(`${t.url}/console/#/live`);
			await page
				.getByText(
					`Too many live views are open for this account (${LIVE_VIEWS_PER_ACCOUNT}): close one. Trying again in`,
				)
				.waitFor();
			views[0]?.abort();
			await page.getByText("following new calls").waitFor();
			const later = await t.client.send(
				new ListIdentityPoolsCommand({ MaxResults: 9 }),
			);
			await page
				.locator(`#calls tr[data-request-id="${later.$metadata.requestId}"]`)
				.waitFor();
			assert.deepEqual(problems, [], "the page ran under its policy");
		} finally {
			for (const view of views) view.abort();
		}
	});

	test("deleting the pool asks for a confirmation; cancel keeps it, delete deletes it", async () => {
		await page.goto(`${t.url}/console/#/pools/${encodeURIComponent(poolId)}`);
		await page.getByRole("heading", { name: "Edit identity pool" }).waitFor();
		await page.getByRole("button", { name: "Delete pool…" }).click();
		const dialog = page.getByRole("dialog", {
			name: "Delete pool console-pool?",
		});
		await dialog.waitFor();
		await checkPage("pool-delete");
		await dialog.getByRole("button", { name: "Cancel" }).click();
		await dialog.waitFor({ state: "hidden" });
		await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
		);
		await page.getByRole("button", { name: "Delete pool…" }).click();
		await dialog.getByRole("button", { name: "Delete" }).click();
		await page.getByRole("heading", { name: "Identity pools" }).waitFor();
		await shows("Deleted pool console-pool.");
		await assert.rejects(
			t.client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
			),
			{ name: "ResourceNotFoundException" },
		);
		await checkPage("pool-deleted");
	});
});

describe("the web console on a server whose CORS allows only another origin", () => {
	// The console calls the server it came from: CORS does not concern it.
	const t = useServer(async () => ({
		config: { corsOrigins: ["http://localhost:1"] },
		consoleDir: await builtConsole(),
	}));
	let browser: Browser;
	before(async () => {
		browser = await launchChromium();
	});
	after(async () => {
		await browser?.close();
	});

	test("signing in and listing the pools work; signing out forgets the key", async () => {
		await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "same-origin",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const context = await browser.newContext();
		try {
			const page = await context.newPage();
			await page.goto(`${t.url}/console/`);
			await page.getByLabel("Access key ID", { exact: true }).fill("test");
			await page.getByLabel("Secret access key", { exact: true }).fill("test");
			await page.getByRole("button", { name: "Sign in" }).click();
			await page
				.getByRole("link", { name: "same-origin", exact: true })
				.waitFor();
			await page.getByRole("button", { name: "Sign out" }).click();
			await page.getByRole("heading", { name: "Sign in" }).waitFor();
			assert.equal(await page.evaluate("sessionStorage.length"), 0);
		} finally {
			await context.close();
		}
	});
});

describe("the web console's live view on a server whose streams last a second", () => {
	const t = useServer(async () => ({
		consoleDir: await builtConsole(),
		liveViewLifetimeMs: 1000,
	}));
	let browser: Browser;
	before(async () => {
		browser = await launchChromium();
	});
	after(async () => {
		await browser?.close();
	});

	test("each stream ends with a renew event, and the page opens the next at once, saying nothing of a loss", async () => {
		const context = await browser.newContext();
		try {
			const page = await context.newPage();
			const texts: string[] = [];
			await page.exposeFunction("noteStatus", (text: string) => {
				texts.push(text);
			});
			await page.goto(`${t.url}/console/`);
			await page.getByLabel("Access key ID", { exact: true }).fill("test");
			await page.getByLabel("Secret access key", { exact: true }).fill("test");
			await page.getByRole("button", { name: "Sign in" }).click();
			await page.getByRole("heading", { name: "Identity pools" }).waitFor();
			await page.goto(`${t.url}/console/#/live`);
			await page.getByText("following new calls").waitFor();
			// Every message the page shows, as it shows it.
			await page.evaluate(
				"new MutationObserver(() => window.noteStatus(document.body.innerText)).observe(document.body, { subtree: true, childList: true, characterData: true })",
			);
			// Three lifetimes: calls made across them all show.
			const ids: string[] = [];
			for (let i = 0; i < 6; i++) {
				const answer = await t.client.send(
					new ListIdentityPoolsCommand({ MaxResults: 1 + i }),
				);
				ids.push(answer.$metadata.requestId as string);
				await new Promise((r) => setTimeout(r, 500));
			}
			for (const id of ids) {
				await page.locator(`#calls tr[data-request-id="${id}"]`).waitFor();
			}
			assert.ok(
				!texts.some((text) => text.includes("was lost")),
				"no loss reported",
			);
		} finally {
			await context.close();
		}
	});
});
