/**
 * A pool's settings, to create a pool or edit one: every setting of CreateIdentityPool and
 * UpdateIdentityPool (providers of every kind, tags), its roles and role mappings
 * (SetIdentityPoolRoles) and its principal tag maps (SetPrincipalTagAttributeMap); deleting
 * it, after a confirmation.
 */
import {
	type CognitoIdentityClient,
	type CognitoIdentityProvider,
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	GetPrincipalTagAttributeMapCommand,
	type IdentityPool,
	type RoleMapping,
	SetIdentityPoolRolesCommand,
	SetPrincipalTagAttributeMapCommand,
	UpdateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	checkbox,
	field,
	flash,
	h,
	lines,
	messages,
	takeFlash,
} from "../dom.ts";
import type { PageContext } from "../page.ts";
import { cognito } from "../session.ts";
import { poolPath } from "./pools.ts";

/** A principal tag map as the form edits it. */
interface TagMap {
	UseDefaults?: boolean;
	PrincipalTags?: Record<string, string>;
}

/** What the form holds besides the pool itself. */
interface Extras {
	roles: Record<string, string>;
	roleMappings: Record<string, RoleMapping>;
	tagMaps: Record<string, TagMap>;
}

function textArea(name: string, value: string, rows = 3): HTMLTextAreaElement {
	const area = h("textarea", { name, rows, spellcheck: "false" });
	area.value = value;
	return area;
}

function textInput(name: string, value = "", extra = {}): HTMLInputElement {
	const input = h("input", {
		type: "text",
		name,
		spellcheck: "false",
		...extra,
	});
	input.value = value;
	return input;
}

/** `a=b` lines into a map; a line without `=` is an error naming the field. */
function pairs(text: string, what: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const line of lines(text)) {
		const at = line.indexOf("=");
		if (at <= 0)
			throw new Error(`${what}: write each line as name=value ("${line}")`);
		out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
	}
	return out;
}

function pairLines(map: Record<string, string> | undefined): string {
	return Object.entries(map ?? {})
		.map(([k, v]) => `${k}=${v}`)
		.join("\n");
}

/** User-pool providers, one a line: `provider name, client id[, server-side check]`. */
function userPools(text: string): CognitoIdentityProvider[] {
	return lines(text).map((line) => {
		const [ProviderName, ClientId, check] = line
			.split(",")
			.map((p) => p.trim());
		if (!ProviderName || !ClientId) {
			throw new Error(
				`Cognito user pools: write each line as provider name, client id[, check] ("${line}")`,
			);
		}
		return {
			ProviderName,
			ClientId,
			ServerSideTokenCheck: check === "check",
		};
	});
}

function userPoolLines(
	providers: CognitoIdentityProvider[] | undefined,
): string {
	return (providers ?? [])
		.map(
			(p) =>
				`${p.ProviderName}, ${p.ClientId}${p.ServerSideTokenCheck ? ", check" : ""}`,
		)
		.join("\n");
}

function json<T>(text: string, what: string): T {
	if (text.trim() === "") return {} as T;
	try {
		return JSON.parse(text) as T;
	} catch {
		throw new Error(`${what}: not valid JSON`);
	}
}

/** The provider names a pool's principal tag maps may name. */
function tagProviders(pool: IdentityPool): string[] {
	return [
		...Object.keys(pool.SupportedLoginProviders ?? {}),
		...(pool.CognitoIdentityProviders ?? []).map(
			(p) => p.ProviderName as string,
		),
		...(pool.OpenIdConnectProviderARNs ?? []),
		...(pool.SamlProviderARNs ?? []),
	];
}

/** The pool, its roles and mappings and its principal tag maps (those set). */
async function load(
	client: CognitoIdentityClient,
	poolId: string,
): Promise<{ pool: IdentityPool; extras: Extras }> {
	const pool = await client.send(
		new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
	);
	const roles = await client.send(
		new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }),
	);
	const tagMaps: Record<string, TagMap> = {};
	for (const provider of tagProviders(pool)) {
		const map = await client.send(
			new GetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: provider,
			}),
		);
		const tags = map.PrincipalTags ?? {};
		if (map.UseDefaults) tagMaps[provider] = { UseDefaults: true };
		else if (Object.keys(tags).length > 0)
			tagMaps[provider] = { PrincipalTags: tags };
	}
	return {
		pool,
		extras: {
			roles: roles.Roles ?? {},
			roleMappings: roles.RoleMappings ?? {},
			tagMaps,
		},
	};
}

const ROLE_MAPPING_EXAMPLE = `{"cognito-idp.us-east-1.amazonaws.com/us-east-1_Example:client": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}`;

export async function poolFormPage(
	ctx: PageContext,
	poolId: string | undefined,
) {
	const { main, credentials } = ctx;
	const client = cognito(credentials);
	const msg = messages();
	const editing = poolId !== undefined;
	main.append(
		h("h1", {}, editing ? "Edit identity pool" : "Create an identity pool"),
		h("p", {}, h("a", { href: "#/pools" }, "All pools")),
		msg.error,
		msg.status,
	);
	let pool: IdentityPool | undefined;
	let extras: Extras = { roles: {}, roleMappings: {}, tagMaps: {} };
	if (poolId) {
		msg.say("Loading the pool…");
		try {
			({ pool, extras } = await load(client, poolId));
			msg.clear();
		} catch (err) {
			msg.fail(err);
			return;
		}
	}
	const name = textInput("IdentityPoolName", pool?.IdentityPoolName, {
		required: true,
	});
	const developer = textInput(
		"DeveloperProviderName",
		pool?.DeveloperProviderName,
		pool?.DeveloperProviderName ? { readonly: true } : {},
	);
	const logins = textArea(
		"SupportedLoginProviders",
		pairLines(pool?.SupportedLoginProviders),
	);
	const oidc = textArea(
		"OpenIdConnectProviderARNs",
		(pool?.OpenIdConnectProviderARNs ?? []).join("\n"),
	);
	const saml = textArea(
		"SamlProviderARNs",
		(pool?.SamlProviderARNs ?? []).join("\n"),
	);
	const cognitoPools = textArea(
		"CognitoIdentityProviders",
		userPoolLines(pool?.CognitoIdentityProviders),
	);
	const tags = textArea("IdentityPoolTags", pairLines(pool?.IdentityPoolTags));
	const authRole = textInput("authenticated", extras.roles.authenticated);
	const unauthRole = textInput("unauthenticated", extras.roles.unauthenticated);
	const mappings = textArea(
		"RoleMappings",
		Object.keys(extras.roleMappings).length > 0
			? JSON.stringify(extras.roleMappings, null, 2)
			: "",
		4,
	);
	const tagMaps = textArea(
		"PrincipalTagMaps",
		Object.keys(extras.tagMaps).length > 0
			? JSON.stringify(extras.tagMaps, null, 2)
			: "",
		4,
	);
	const form = h(
		"form",
		{ class: "stack", "aria-label": editing ? "Pool settings" : "New pool" },
		h(
			"fieldset",
			{},
			h("legend", {}, "Pool"),
			field(
				"Name",
				name,
				"Letters, digits, spaces and + = , . @ -, up to 128 characters.",
			),
			checkbox(
				"Allow unauthenticated (guest) identities",
				"AllowUnauthenticatedIdentities",
				pool?.AllowUnauthenticatedIdentities ?? false,
			),
			checkbox(
				"Allow the basic (classic) authentication flow",
				"AllowClassicFlow",
				pool?.AllowClassicFlow ?? false,
			),
			field(
				"Developer provider name",
				developer,
				editing && pool?.DeveloperProviderName
					? "Set once; it cannot change."
					: "The name your back end uses for its users (GetOpenIdTokenForDeveloperIdentity); it cannot change once set.",
			),
		),
		h(
			"fieldset",
			{},
			h("legend", {}, "Identity providers"),
			field(
				"Public providers",
				logins,
				"One a line: provider=app id (graph.facebook.com=1234, accounts.google.com=client.apps.googleusercontent.com).",
			),
			field(
				"Cognito user pools",
				cognitoPools,
				"One a line: provider name, client id, and check for the server-side token check.",
			),
			field("OpenID Connect provider ARNs", oidc, "One ARN a line."),
			field("SAML provider ARNs", saml, "One ARN a line."),
		),
		h(
			"fieldset",
			{},
			h("legend", {}, "Roles"),
			field("Authenticated role ARN", authRole),
			field("Unauthenticated role ARN", unauthRole),
			field(
				"Role mappings (JSON)",
				mappings,
				`The RoleMappings of SetIdentityPoolRoles, by provider; for example ${ROLE_MAPPING_EXAMPLE}`,
			),
		),
		h(
			"fieldset",
			{},
			h("legend", {}, "Tags"),
			field("Pool tags", tags, "One a line: key=value."),
			field(
				"Principal tag maps (JSON)",
				tagMaps,
				'By provider name: {"UseDefaults": true} or {"PrincipalTags": {"tag": "claim"}}.',
			),
		),
		h(
			"div",
			{ class: "actions" },
			h("button", { type: "submit" }, editing ? "Save changes" : "Create pool"),
		),
	);
	const checked = (n: string) =>
		(form.elements.namedItem(n) as HTMLInputElement).checked;
	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		let settings: Omit<IdentityPool, "IdentityPoolId">;
		let roles: Record<string, string>;
		let roleMappings: Record<string, RoleMapping>;
		let maps: Record<string, TagMap>;
		try {
			settings = {
				IdentityPoolName: name.value.trim(),
				AllowUnauthenticatedIdentities: checked(
					"AllowUnauthenticatedIdentities",
				),
				AllowClassicFlow: checked("AllowClassicFlow"),
				...(developer.value.trim()
					? { DeveloperProviderName: developer.value.trim() }
					: {}),
				SupportedLoginProviders: pairs(logins.value, "Public providers"),
				CognitoIdentityProviders: userPools(cognitoPools.value),
				OpenIdConnectProviderARNs: lines(oidc.value),
				SamlProviderARNs: lines(saml.value),
				IdentityPoolTags: pairs(tags.value, "Pool tags"),
			};
			roles = {
				...(authRole.value.trim()
					? { authenticated: authRole.value.trim() }
					: {}),
				...(unauthRole.value.trim()
					? { unauthenticated: unauthRole.value.trim() }
					: {}),
			};
			roleMappings = json(mappings.value, "Role mappings");
			maps = json(tagMaps.value, "Principal tag maps");
		} catch (err) {
			msg.fail(err);
			return;
		}
		msg.say(editing ? "Saving…" : "Creating the pool…");
		try {
			const saved = poolId
				? await client.send(
						new UpdateIdentityPoolCommand({
							IdentityPoolId: poolId,
							...settings,
						}),
					)
				: await client.send(new CreateIdentityPoolCommand(settings));
			const id = saved.IdentityPoolId as string;
			const hadRoles =
				Object.keys(extras.roles).length +
					Object.keys(extras.roleMappings).length >
				0;
			if (
				hadRoles ||
				Object.keys(roles).length + Object.keys(roleMappings).length > 0
			) {
				await client.send(
					new SetIdentityPoolRolesCommand({
						IdentityPoolId: id,
						Roles: roles,
						RoleMappings: roleMappings,
					}),
				);
			}
			// Maps removed from the form are cleared; those given are set.
			for (const provider of Object.keys(extras.tagMaps)) {
				if (!(provider in maps)) {
					await client.send(
						new SetPrincipalTagAttributeMapCommand({
							IdentityPoolId: id,
							IdentityProviderName: provider,
							UseDefaults: false,
							PrincipalTags: {},
						}),
					);
				}
			}
			for (const [provider, map] of Object.entries(maps)) {
				await client.send(
					new SetPrincipalTagAttributeMapCommand({
						IdentityPoolId: id,
						IdentityProviderName: provider,
						UseDefaults: map.UseDefaults ?? false,
						PrincipalTags: map.PrincipalTags ?? {},
					}),
				);
			}
			if (poolId) {
				extras = { roles, roleMappings, tagMaps: maps };
				msg.say(`Saved pool ${settings.IdentityPoolName}.`);
			} else {
				// The new pool's own page, which says it was created.
				flash(`Created pool ${settings.IdentityPoolName} (${id}).`);
				location.hash = poolPath(id);
			}
		} catch (err) {
			msg.fail(err);
		}
	});
	main.append(form);
	const flashed = takeFlash();
	if (flashed) msg.say(flashed);
	if (poolId && pool) {
		main.append(
			h("h2", {}, "More"),
			h(
				"p",
				{ class: "actions" },
				h(
					"a",
					{ href: poolPath(poolId, "/identities") },
					"Identities of this pool",
				),
				h("a", { href: `#/try/${encodeURIComponent(poolId)}` }, "Try it"),
			),
			deleteSection(client, poolId, pool.IdentityPoolName as string, msg),
		);
	}
}

/** The delete button and its confirmation dialog. */
function deleteSection(
	client: CognitoIdentityClient,
	poolId: string,
	poolName: string,
	msg: ReturnType<typeof messages>,
): HTMLElement {
	const open = h("button", { type: "button", class: "danger" }, "Delete pool…");
	const confirmButton = h(
		"button",
		{ type: "submit", class: "danger", value: "delete" },
		"Delete",
	);
	const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
	const dialog = h(
		"dialog",
		{ "aria-labelledby": "delete-title", "aria-describedby": "delete-text" },
		h(
			"form",
			{ method: "dialog" },
			h("h2", { id: "delete-title" }, `Delete pool ${poolName}?`),
			h(
				"p",
				{ id: "delete-text" },
				`Pool ${poolId} and all its identities will be deleted. This cannot be undone.`,
			),
			h("div", { class: "actions" }, confirmButton, cancel),
		),
	);
	open.addEventListener("click", () => {
		dialog.returnValue = "";
		dialog.showModal();
		cancel.focus();
	});
	cancel.addEventListener("click", () => dialog.close("cancel"));
	dialog.addEventListener("close", async () => {
		if (dialog.returnValue !== "delete") {
			open.focus();
			return;
		}
		msg.say("Deleting the pool…");
		try {
			await client.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: poolId }),
			);
			flash(`Deleted pool ${poolName}.`);
			location.hash = "#/pools";
		} catch (err) {
			msg.fail(err);
		}
	});
	return h("section", { "aria-label": "Delete" }, open, dialog);
}
