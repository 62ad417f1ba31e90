/**
 * The identities of a pool: a paged list, finding one by its developer user id, and one
 * identity's details (its logins and developer users) with what can be done to it: unlink a
 * developer user, merge two developer users' identities, delete it.
 */
import {
	type CognitoIdentityClient,
	DeleteIdentitiesCommand,
	DescribeIdentityCommand,
	DescribeIdentityPoolCommand,
	type IdentityDescription,
	ListIdentitiesCommand,
	LookupDeveloperIdentityCommand,
	MergeDeveloperIdentitiesCommand,
	UnlinkDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { field, h, type Messages, messages, when } from "../dom.ts";
import type { PageContext } from "../page.ts";
import { cognito } from "../session.ts";
import { poolPath } from "./pools.ts";

const PAGE_SIZE = 20;

export async function identitiesPage({
	main,
	credentials,
	params,
}: PageContext) {
	const poolId = params[0] as string;
	const client = cognito(credentials);
	const msg = messages();
	main.append(
		h("h1", {}, "Identities"),
		h(
			"p",
			{},
			h("a", { href: poolPath(poolId) }, "Back to the pool"),
			" · ",
			h("code", {}, poolId),
		),
		msg.error,
		msg.status,
	);
	let developerProvider: string | undefined;
	try {
		const pool = await client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
		);
		developerProvider = pool.DeveloperProviderName;
		const heading = main.querySelector("h1") as HTMLElement;
		heading.textContent = `Identities of ${pool.IdentityPoolName}`;
		document.title = `${heading.textContent} · idpool console`;
	} catch (err) {
		msg.fail(err);
		return;
	}
	const details = h("section", {
		"aria-label": "Identity details",
		id: "details",
	});

	/** Shows one identity's details. */
	const show = async (identityId: string) => {
		details.replaceChildren();
		try {
			const identity = await client.send(
				new DescribeIdentityCommand({ IdentityId: identityId }),
			);
			const users = developerProvider
				? ((
						await client.send(
							new LookupDeveloperIdentityCommand({
								IdentityPoolId: poolId,
								IdentityId: identityId,
								MaxResults: 60,
							}),
						)
					).DeveloperUserIdentifierList ?? [])
				: [];
			drawDetails(details, identity, users, {
				client,
				poolId,
				developerProvider,
				msg,
				reload: () => show(identityId),
				gone: () => {
					details.replaceChildren();
					void reloadList();
				},
			});
			details.querySelector("h2")?.focus();
		} catch (err) {
			msg.fail(err);
		}
	};

	// Find by developer user id.
	const userId = h("input", {
		type: "text",
		name: "developerUserId",
		required: true,
		spellcheck: "false",
	});
	const find = h(
		"form",
		{ class: "stack", "aria-label": "Find an identity" },
		field(
			"Developer user id",
			userId,
			developerProvider
				? `A user of ${developerProvider}.`
				: "This pool has no developer provider.",
		),
		h("div", { class: "actions" }, h("button", { type: "submit" }, "Find")),
	);
	find.addEventListener("submit", async (event) => {
		event.preventDefault();
		msg.clear();
		try {
			const found = await client.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: userId.value.trim(),
				}),
			);
			msg.say(
				`Developer user ${userId.value.trim()} has identity ${found.IdentityId}.`,
			);
			await show(found.IdentityId as string);
		} catch (err) {
			msg.fail(err);
		}
	});

	// The list.
	const body = h("tbody");
	const more = h(
		"button",
		{ type: "button", class: "secondary", hidden: true },
		"Show more identities",
	);
	let next: string | undefined;
	const loadList = async () => {
		try {
			const page = await client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolId,
					MaxResults: PAGE_SIZE,
					...(next ? { NextToken: next } : {}),
				}),
			);
			for (const identity of page.Identities ?? []) {
				const id = identity.IdentityId as string;
				const open = h(
					"button",
					{
						type: "button",
						class: "secondary",
						"aria-label": `Details of ${id}`,
					},
					"Details",
				);
				open.addEventListener("click", () => void show(id));
				body.append(
					h(
						"tr",
						{},
						h("td", {}, h("code", {}, id)),
						h("td", {}, (identity.Logins ?? []).join(", ") || "none (guest)"),
						h("td", {}, when(identity.CreationDate)),
						h("td", {}, open),
					),
				);
			}
			next = page.NextToken;
			more.hidden = next === undefined;
			if (body.children.length === 0) {
				body.append(h("tr", {}, h("td", { colspan: 4 }, "No identities yet.")));
			}
		} catch (err) {
			msg.fail(err);
		}
	};
	const reloadList = async () => {
		body.replaceChildren();
		next = undefined;
		await loadList();
	};
	more.addEventListener("click", () => void loadList());

	main.append(
		h("h2", {}, "Find an identity"),
		find,
		details,
		h("h2", {}, "All identities"),
		h(
			"table",
			{},
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					h("th", { scope: "col" }, "Identity id"),
					h("th", { scope: "col" }, "Logins"),
					h("th", { scope: "col" }, "Created"),
					h("th", { scope: "col" }, h("span", { class: "hint" }, "Actions")),
				),
			),
			body,
		),
		more,
	);
	if (developerProvider)
		main.append(mergeForm(client, poolId, developerProvider, msg, reloadList));
	await loadList();
}

interface DetailActions {
	client: CognitoIdentityClient;
	poolId: string;
	developerProvider: string | undefined;
	msg: Messages;
	reload(): Promise<void>;
	gone(): void;
}

function drawDetails(
	section: HTMLElement,
	identity: IdentityDescription,
	users: string[],
	actions: DetailActions,
): void {
	const id = identity.IdentityId as string;
	const { client, poolId, developerProvider, msg } = actions;
	const userRows = users.map((user) => {
		const unlink = h(
			"button",
			{ type: "button", class: "secondary", "aria-label": `Unlink ${user}` },
			"Unlink",
		);
		unlink.addEventListener("click", async () => {
			try {
				await client.send(
					new UnlinkDeveloperIdentityCommand({
						IdentityId: id,
						IdentityPoolId: poolId,
						DeveloperProviderName: developerProvider as string,
						DeveloperUserIdentifier: user,
					}),
				);
				msg.say(`Unlinked developer user ${user} from ${id}.`);
				await actions.reload();
			} catch (err) {
				msg.fail(err);
			}
		});
		return h("li", {}, h("code", {}, user), " ", unlink);
	});
	const remove = h(
		"button",
		{ type: "button", class: "danger" },
		"Delete identity…",
	);
	remove.addEventListener("click", async () => {
		if (
			!window.confirm(
				`Delete identity ${id}? Its logins are unlinked; this cannot be undone.`,
			)
		)
			return;
		try {
			const answer = await client.send(
				new DeleteIdentitiesCommand({ IdentityIdsToDelete: [id] }),
			);
			const failed = answer.UnprocessedIdentityIds?.[0];
			if (failed)
				throw new Error(`Identity ${id} was not deleted: ${failed.ErrorCode}`);
			msg.say(`Deleted identity ${id}.`);
			actions.gone();
		} catch (err) {
			msg.fail(err);
		}
	});
	section.replaceChildren(
		h("h2", { tabindex: -1 }, "Identity ", h("code", {}, id)),
		h(
			"dl",
			{},
			h("dt", {}, "Logins"),
			h("dd", {}, (identity.Logins ?? []).join(", ") || "none (guest)"),
			h("dt", {}, "Created"),
			h("dd", {}, when(identity.CreationDate)),
			h("dt", {}, "Last modified"),
			h("dd", {}, when(identity.LastModifiedDate)),
		),
		developerProvider
			? h(
					"div",
					{},
					h("h3", {}, `Developer users (${developerProvider})`),
					userRows.length > 0 ? h("ul", {}, userRows) : h("p", {}, "None."),
				)
			: "",
		h("p", { class: "actions" }, remove),
	);
}

/** MergeDeveloperIdentities: the source user's identity merged into the destination's. */
function mergeForm(
	client: CognitoIdentityClient,
	poolId: string,
	developerProvider: string,
	msg: Messages,
	done: () => Promise<void>,
): HTMLElement {
	const source = h("input", {
		type: "text",
		name: "source",
		required: true,
		spellcheck: "false",
	});
	const destination = h("input", {
		type: "text",
		name: "destination",
		required: true,
		spellcheck: "false",
	});
	const form = h(
		"form",
		{ class: "stack", "aria-label": "Merge developer identities" },
		field(
			"Source developer user id",
			source,
			"Its identity is merged into the destination's.",
		),
		field("Destination developer user id", destination),
		h("div", { class: "actions" }, h("button", { type: "submit" }, "Merge")),
	);
	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		try {
			const merged = await client.send(
				new MergeDeveloperIdentitiesCommand({
					IdentityPoolId: poolId,
					DeveloperProviderName: developerProvider,
					SourceUserIdentifier: source.value.trim(),
					DestinationUserIdentifier: destination.value.trim(),
				}),
			);
			msg.say(`Merged: both users now have identity ${merged.IdentityId}.`);
			await done();
		} catch (err) {
			msg.fail(err);
		}
	});
	return h(
		"section",
		{ "aria-label": "Merge" },
		h("h2", {}, "Merge developer identities"),
		form,
	);
}
