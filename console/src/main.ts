/**
 * The console's entry point: the sign-in page, the router (the part of the URL after `#`)
 * and the frame every page shares. Each page is a function that fills `<main>`; after a
 * navigation the page's heading gets the focus, so that screen readers announce it.
 */
import { ListIdentityPoolsCommand } from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { field, h, messages } from "./dom.ts";
import type { PageContext } from "./page.ts";
import { identitiesPage } from "./pages/identities.ts";
import { keysPage } from "./pages/keys.ts";
import { livePage } from "./pages/live.ts";
import { poolFormPage } from "./pages/pool-form.ts";
import { poolsPage } from "./pages/pools.ts";
import { tryPage } from "./pages/try.ts";
import {
	type Credentials,
	cognito,
	signedIn,
	signIn,
	signOut,
	sts,
} from "./session.ts";

type Page = (ctx: PageContext) => Promise<void> | void;

/** Routes: a pattern of the hash path and its page. */
const ROUTES: [RegExp, Page][] = [
	[/^\/pools$/, poolsPage],
	[/^\/pools\/new$/, (ctx) => poolFormPage(ctx, undefined)],
	[/^\/pools\/([^/]+)\/identities$/, identitiesPage],
	[/^\/pools\/([^/]+)$/, (ctx) => poolFormPage(ctx, ctx.params[0])],
	[/^\/try(?:\/([^/]+))?$/, tryPage],
	[/^\/keys$/, keysPage],
	[/^\/live$/, livePage],
];

const leaving: (() => void)[] = [];

function mainElement(): HTMLElement {
	return document.getElementById("main") as HTMLElement;
}

/** Starts a page: a fresh `<main>` whose first heading gets the focus once drawn. */
function focusHeading(main: HTMLElement): void {
	const heading = main.querySelector("h1");
	if (heading) {
		heading.setAttribute("tabindex", "-1");
		heading.focus();
		document.title = `${heading.textContent} · idpool console`;
	}
}

/** The path after `#`, its escapes decoded (a malformed one leaves it as it is). */
function hashPath(): string {
	const raw = location.hash.replace(/^#/, "");
	try {
		return decodeURIComponent(raw);
	} catch {
		return raw;
	}
}

async function route(): Promise<void> {
	for (const stop of leaving.splice(0)) stop();
	const main = mainElement();
	main.replaceChildren();
	const credentials = signedIn();
	frame(credentials);
	if (!credentials) {
		signInPage(main);
		focusHeading(main);
		return;
	}
	const path = hashPath() || "/pools";
	for (const [pattern, page] of ROUTES) {
		const match = pattern.exec(path);
		if (!match) continue;
		const params = match.slice(1).filter((p): p is string => p !== undefined);
		const drawn = page({
			main,
			credentials,
			params,
			onLeave: (stop) => leaving.push(stop),
		});
		focusHeading(main);
		await drawn;
		return;
	}
	main.append(
		h("h1", {}, "Not found"),
		h("p", {}, "No page of the console has this address."),
		h("p", {}, h("a", { href: "#/pools" }, "Identity pools")),
	);
	focusHeading(main);
}

/** The navigation and the signed-in key, shown once signed in. */
function frame(credentials: Credentials | undefined): void {
	const nav = document.getElementById("nav") as HTMLElement;
	const who = document.getElementById("who") as HTMLElement;
	nav.hidden = credentials === undefined;
	who.hidden = credentials === undefined;
	const text = document.getElementById("who-text") as HTMLElement;
	text.textContent = credentials
		? `${credentials.account ? `Account ${credentials.account}, ` : ""}access key ${credentials.accessKeyId}, ${credentials.region}`
		: "";
	const current = location.hash.split("/")[1] ?? "pools";
	for (const link of nav.querySelectorAll("a")) {
		const section = link.getAttribute("href")?.split("/")[1];
		if (section === current) link.setAttribute("aria-current", "page");
		else link.removeAttribute("aria-current");
	}
}

/** The sign-in page: an access key and its secret, checked by a call to the server. */
function signInPage(main: HTMLElement): void {
	const msg = messages();
	const keyId = h("input", {
		type: "text",
		name: "accessKeyId",
		required: true,
		autocomplete: "username",
		spellcheck: "false",
	});
	const secret = h("input", {
		type: "password",
		name: "secretAccessKey",
		required: true,
		autocomplete: "current-password",
	});
	const region = h("input", {
		type: "text",
		name: "region",
		required: true,
		value: "us-east-1",
		spellcheck: "false",
	});
	const form = h(
		"form",
		{ class: "stack", "aria-labelledby": "sign-in-title" },
		field("Access key ID", keyId),
		field("Secret access key", secret),
		field(
			"Region",
			region,
			"The region of the pools to manage (pools are per account and region).",
		),
		h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign in")),
	);
	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		const c: Credentials = {
			accessKeyId: keyId.value.trim(),
			secretAccessKey: secret.value,
			region: region.value.trim(),
		};
		msg.say("Signing in…");
		try {
			await cognito(c).send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
		} catch (err) {
			msg.fail(signInError(err, c.accessKeyId));
			secret.focus();
			return;
		}
		// The account of the key, shown next to it (STS's answer for a key of the server).
		const me = await sts(c.region, c)
			.send(new GetCallerIdentityCommand({}))
			.catch(() => undefined);
		signIn({ ...c, ...(me?.Account ? { account: me.Account } : {}) });
		msg.clear();
		if (location.hash === "" || location.hash === "#/")
			location.hash = "#/pools";
		else await route();
	});
	main.append(
		h("h1", { id: "sign-in-title" }, "Sign in"),
		h(
			"p",
			{},
			"Sign in with an access key of this idpool server. The key and its secret stay in this tab (session storage) and sign every call in the browser, as an SDK does.",
		),
		msg.error,
		msg.status,
		form,
	);
}

/** The sign-in failure in plain words, with AWS's error name. */
function signInError(err: unknown, keyId: string): Error {
	const e = err as { name?: string; message?: string };
	const error = new Error(
		e.name === "InvalidSignatureException"
			? `Sign-in failed: the secret access key is not the secret of access key ${keyId}.`
			: e.name === "UnrecognizedClientException"
				? `Sign-in failed: this server has no access key ${keyId}.`
				: `Sign-in failed: ${e.message ?? String(err)}`,
	);
	error.name = e.name ?? "Error";
	return error;
}

document.getElementById("sign-out")?.addEventListener("click", () => {
	signOut();
	location.hash = "";
	void route();
});
window.addEventListener("hashchange", () => void route());
void route();
