/**
 * "Try it": a token for a developer user of a pool (GetOpenIdTokenForDeveloperIdentity), its
 * decoded header and claims, its verification against this server's live JWKS (jose, in the
 * browser), then AWS credentials for it (GetCredentialsForIdentity) and who STS says they are
 * (GetCallerIdentity at this server's STS endpoint, signed with them).
 */
import {
	DescribeIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
	createRemoteJWKSet,
	decodeJwt,
	decodeProtectedHeader,
	jwtVerify,
} from "jose";
import { describeError, field, h, messages, when } from "../dom.ts";
import type { PageContext } from "../page.ts";
import { cognito, endpoint, sts } from "../session.ts";

/** The JWKS the console verifies against: the one this server publishes. */
export const JWKS_PATH = "/.well-known/jwks.json";

/** The `Logins` key of this server's own tokens. */
const OWN_PROVIDER = "cognito-identity.amazonaws.com";

function pre(value: unknown, label: string): HTMLElement {
	return h(
		"pre",
		{ "aria-label": label, tabindex: 0 },
		JSON.stringify(value, null, 2),
	);
}

export async function tryPage({ main, credentials, params }: PageContext) {
	const client = cognito(credentials);
	const msg = messages();
	main.append(
		h("h1", {}, "Try it"),
		h(
			"p",
			{},
			"Get a token for a user of a pool's developer provider, as your back end would, then AWS credentials for it, as your app would.",
		),
		msg.error,
		msg.status,
	);
	const pool = h("select", { name: "pool", required: true });
	try {
		const pools = await client.send(
			new ListIdentityPoolsCommand({ MaxResults: 60 }),
		);
		for (const p of pools.IdentityPools ?? []) {
			const option = h(
				"option",
				{ value: p.IdentityPoolId },
				`${p.IdentityPoolName} (${p.IdentityPoolId})`,
			);
			if (p.IdentityPoolId === params[0]) option.selected = true;
			pool.append(option);
		}
		if (pool.options.length === 0) {
			msg.say(
				"There is no pool yet: create one with a developer provider name first.",
			);
			return;
		}
	} catch (err) {
		msg.fail(err);
		return;
	}
	const user = h("input", {
		type: "text",
		name: "developerUserId",
		required: true,
		spellcheck: "false",
	});
	const form = h(
		"form",
		{ class: "stack", "aria-label": "Get a token" },
		field("Identity pool", pool),
		field(
			"Developer user id",
			user,
			"Any id of your back end's user; a new one gets a new identity.",
		),
		h(
			"div",
			{ class: "actions" },
			h("button", { type: "submit" }, "Get a token"),
		),
	);
	const results = h("div", { id: "results" });
	main.append(form, results);

	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		results.replaceChildren();
		msg.say("Getting a token…");
		const poolId = pool.value;
		try {
			const described = await client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
			);
			const provider = described.DeveloperProviderName;
			if (!provider) {
				throw new Error(
					`Pool ${described.IdentityPoolName} has no developer provider name: set one on its page first.`,
				);
			}
			const answer = await client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [provider]: user.value.trim() },
				}),
			);
			const token = answer.Token as string;
			const identityId = answer.IdentityId as string;
			const header = decodeProtectedHeader(token);
			const claims = decodeJwt(token);
			const verdict = h("p", { role: "status" }, "Verifying against the JWKS…");
			results.append(
				h("h2", { tabindex: -1 }, "Token"),
				h(
					"dl",
					{},
					h("dt", {}, "Identity id"),
					h("dd", {}, h("code", { id: "identity-id" }, identityId)),
				),
				h("h3", {}, "Header"),
				pre(header, "Token header"),
				h("h3", {}, "Claims"),
				pre(claims, "Token claims"),
				h("h3", {}, "Verification"),
				verdict,
			);
			msg.say(`Token for ${user.value.trim()}: identity ${identityId}.`);
			(results.querySelector("h2") as HTMLElement).focus();
			try {
				const jwks = createRemoteJWKSet(new URL(JWKS_PATH, endpoint));
				const verified = await jwtVerify(token, jwks, {
					issuer: claims.iss as string,
					audience: poolId,
					algorithms: [header.alg as string],
				});
				verdict.replaceChildren(
					h("span", { class: "ok" }, "Signature valid"),
					` with key ${verified.protectedHeader.kid} of ${JWKS_PATH}; issuer ${verified.payload.iss}, audience ${poolId}, expires ${when(new Date((verified.payload.exp ?? 0) * 1000))}.`,
				);
			} catch (err) {
				verdict.className = "error";
				verdict.textContent = `Not verified: ${describeError(err)}`;
			}
			const credentialsButton = h(
				"button",
				{ type: "button" },
				"Get AWS credentials for it",
			);
			const credentialsOut = h("div", {});
			credentialsButton.addEventListener("click", async () => {
				credentialsOut.replaceChildren();
				try {
					const creds = await client.send(
						new GetCredentialsForIdentityCommand({
							IdentityId: identityId,
							Logins: { [OWN_PROVIDER]: token },
						}),
					);
					const c = creds.Credentials;
					const me = await sts(credentials.region, {
						accessKeyId: c?.AccessKeyId as string,
						secretAccessKey: c?.SecretKey as string,
						sessionToken: c?.SessionToken as string,
					}).send(new GetCallerIdentityCommand({}));
					credentialsOut.append(
						h(
							"dl",
							{ id: "caller" },
							h("dt", {}, "Access key id"),
							h("dd", {}, h("code", {}, c?.AccessKeyId)),
							h("dt", {}, "Expires"),
							h("dd", {}, when(c?.Expiration)),
							h("dt", {}, "GetCallerIdentity: Arn"),
							h("dd", {}, h("code", {}, me.Arn)),
							h("dt", {}, "Account"),
							h("dd", {}, me.Account),
							h("dt", {}, "UserId"),
							h("dd", {}, h("code", {}, me.UserId)),
						),
					);
					msg.say(`Credentials for ${identityId}: ${me.Arn}.`);
				} catch (err) {
					msg.fail(err);
				}
			});
			results.append(
				h("h2", {}, "Credentials"),
				h("p", {}, credentialsButton),
				credentialsOut,
			);
		} catch (err) {
			msg.fail(err);
		}
	});
}
