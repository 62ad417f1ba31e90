/**
 * The signing keys: the JWKS this server publishes (`/.well-known/jwks.json`, what any
 * verifier reads) and each key's state (which one signs now), from the console's keys route.
 */
import { h, messages, when } from "../dom.ts";
import type { PageContext } from "../page.ts";
import { apiError, endpoint, signedGet } from "../session.ts";
import { JWKS_PATH } from "./try.ts";

interface KeyState {
	kid: string;
	alg: string;
	status: "signing" | "pending" | "retired";
	createdAt?: string;
	activatesAt?: string;
	retiredAt?: string;
	encryptedAtRest: boolean;
}

const STATUS_TEXT: Record<KeyState["status"], string> = {
	signing: "signs now",
	pending: "published, signs later",
	retired: "retired, still published",
};

export async function keysPage({ main, credentials }: PageContext) {
	const msg = messages();
	main.append(
		h("h1", {}, "Signing keys"),
		h(
			"p",
			{},
			"The keys this server signs its tokens with, as its JWKS publishes them at ",
			h("a", { href: JWKS_PATH }, JWKS_PATH),
			".",
		),
		msg.error,
		msg.status,
	);
	try {
		const [jwksResponse, statesResponse] = await Promise.all([
			fetch(new URL(JWKS_PATH, endpoint), { cache: "no-store" }),
			signedGet(credentials, "/console/api/keys"),
		]);
		if (!statesResponse.ok) throw await apiError(statesResponse);
		const jwks = (await jwksResponse.json()) as {
			keys: { kid: string; kty: string; alg: string; use: string }[];
		};
		const states = ((await statesResponse.json()) as { keys: KeyState[] }).keys;
		const byKid = new Map(states.map((s) => [s.kid, s]));
		const signing = states.find((s) => s.status === "signing");
		main.append(
			h(
				"p",
				{ id: "signing-now" },
				"Signs now: ",
				signing ? h("code", {}, signing.kid) : "no key",
			),
			h(
				"table",
				{},
				h(
					"caption",
					{ class: "hint" },
					`${jwks.keys.length} published key${jwks.keys.length === 1 ? "" : "s"}`,
				),
				h(
					"thead",
					{},
					h(
						"tr",
						{},
						h("th", { scope: "col" }, "Key id (kid)"),
						h("th", { scope: "col" }, "Algorithm"),
						h("th", { scope: "col" }, "State"),
						h("th", { scope: "col" }, "Signs from"),
						h("th", { scope: "col" }, "Retired"),
						h("th", { scope: "col" }, "Private key at rest"),
					),
				),
				h(
					"tbody",
					{},
					jwks.keys.map((key) => {
						const state = byKid.get(key.kid);
						return h(
							"tr",
							{},
							h("td", {}, h("code", {}, key.kid)),
							h("td", {}, `${key.kty} ${key.alg}`),
							h(
								"td",
								{},
								state
									? state.status === "signing"
										? h("span", { class: "badge" }, STATUS_TEXT.signing)
										: STATUS_TEXT[state.status]
									: "not in this server's store",
							),
							h("td", {}, when(state?.activatesAt)),
							h("td", {}, when(state?.retiredAt)),
							h(
								"td",
								{},
								state ? (state.encryptedAtRest ? "encrypted" : "plain") : "",
							),
						);
					}),
				),
			),
			h("h2", {}, "The JWKS"),
			h(
				"pre",
				{ tabindex: 0, "aria-label": "JWKS document" },
				JSON.stringify(jwks, null, 2),
			),
		);
	} catch (err) {
		msg.fail(err);
	}
}
