/**
 * The Amplify page: Amplify JS v6 pointed at idpool (identity pools) and at a local user-pool
 * emulator (cognito-local), with a guest session, sign-in with a user name and password, and
 * sign-out. Everything the page does is in the functions of {@link example}, which its buttons
 * call and which the browser tests of idpool call too (as `window.idpoolExample`).
 *
 * In your own app the settings are constants; here they come from the page's address, so that
 * one build serves any pool: `index.html?identityPoolId=...&identityPoolEndpoint=...`.
 */
import { Amplify } from "aws-amplify";
import {
	type AuthSession,
	fetchAuthSession,
	signIn,
	signOut,
} from "aws-amplify/auth";
import type { ExampleApi, SessionSummary } from "./api.ts";

/** The settings of the page, read from its query string. */
interface Settings {
	identityPoolId: string;
	/** idpool's URL, e.g. `http://127.0.0.1:8700`. */
	identityPoolEndpoint: string;
	/** The user pool of cognito-local (with the three below), for signing in. */
	userPoolId?: string;
	userPoolClientId?: string;
	/** cognito-local's URL, e.g. `http://localhost:9229`. */
	userPoolEndpoint?: string;
}

function settingsOfPage(): Settings {
	const query = new URLSearchParams(location.search);
	const required = (name: string): string => {
		const value = query.get(name);
		if (!value) throw new Error(`the page's address has no ${name}`);
		return value;
	};
	return {
		identityPoolId: required("identityPoolId"),
		identityPoolEndpoint: required("identityPoolEndpoint"),
		userPoolId: query.get("userPoolId") ?? undefined,
		userPoolClientId: query.get("userPoolClientId") ?? undefined,
		userPoolEndpoint: query.get("userPoolEndpoint") ?? undefined,
	};
}

/**
 * Amplify's configuration: the identity pool at idpool, guests allowed, and the user pool at
 * cognito-local when the page has one. The endpoints are set in code: Amplify does not read
 * them from `amplify_outputs.json`.
 */
export function configure(settings: Settings): void {
	const { userPoolId, userPoolClientId, userPoolEndpoint } = settings;
	const identityPool = {
		identityPoolId: settings.identityPoolId,
		identityPoolEndpoint: settings.identityPoolEndpoint,
		allowGuestAccess: true,
	};
	if (!userPoolId || !userPoolClientId) {
		Amplify.configure({ Auth: { Cognito: identityPool } });
		return;
	}
	Amplify.configure({
		Auth: {
			Cognito: {
				...identityPool,
				userPoolId,
				userPoolClientId,
				...(userPoolEndpoint ? { userPoolEndpoint } : {}),
			},
		},
	});
}

function summary(session: AuthSession): SessionSummary {
	const c = session.credentials;
	return {
		identityId: session.identityId,
		signedIn: session.tokens !== undefined,
		userSub: session.userSub,
		credentials: c && {
			accessKeyId: c.accessKeyId,
			secretAccessKey: c.secretAccessKey,
			sessionToken: c.sessionToken,
			expiration: c.expiration?.toISOString(),
		},
	};
}

/** An error as the page shows it: Amplify's name and message. */
function failure(err: unknown): { error: string; message: string } {
	const e = err as { name?: unknown; message?: unknown };
	return {
		error: String(e.name ?? "Error"),
		message: String(e.message ?? err),
	};
}

export const example: ExampleApi = {
	async session(): Promise<SessionSummary> {
		return summary(await fetchAuthSession());
	},
	// USER_PASSWORD_AUTH: cognito-local has no SRP, Amplify's default.
	async signIn(username: string, password: string): Promise<SessionSummary> {
		const result = await signIn({
			username,
			password,
			options: { authFlowType: "USER_PASSWORD_AUTH" },
		});
		if (!result.isSignedIn) {
			throw new Error(`sign-in stopped at ${result.nextStep.signInStep}`);
		}
		return summary(await fetchAuthSession());
	},
	async signOut(): Promise<void> {
		await signOut();
	},
};

declare global {
	interface Window {
		idpoolExample: ExampleApi;
	}
}

/** Runs `work` and shows its result (or its error) on the page. */
async function show(work: () => Promise<unknown>): Promise<void> {
	const output = document.getElementById("output") as HTMLElement;
	output.textContent = "…";
	try {
		output.textContent = JSON.stringify((await work()) ?? "done", null, 2);
	} catch (err) {
		output.textContent = JSON.stringify(failure(err), null, 2);
	}
}

function field(id: string): string {
	return (document.getElementById(id) as HTMLInputElement).value;
}

window.idpoolExample = example;
try {
	configure(settingsOfPage());
} catch (err) {
	(document.getElementById("output") as HTMLElement).textContent =
		JSON.stringify(failure(err), null, 2);
}
document
	.getElementById("session")
	?.addEventListener("click", () => show(example.session));
document
	.getElementById("sign-in")
	?.addEventListener("click", () =>
		show(() => example.signIn(field("username"), field("password"))),
	);
document
	.getElementById("sign-out")
	?.addEventListener("click", () => show(example.signOut));
