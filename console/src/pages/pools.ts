/** The pools of the signed-in account in its region: a paged table, and a link to create one. */
import { ListIdentityPoolsCommand } from "@aws-sdk/client-cognito-identity";
import { h, messages, takeFlash } from "../dom.ts";
import type { PageContext } from "../page.ts";
import { cognito } from "../session.ts";

const PAGE_SIZE = 25;

/** The path of a pool's page (its id holds a colon, kept readable). */
export function poolPath(poolId: string, rest = ""): string {
	return `#/pools/${encodeURIComponent(poolId)}${rest}`;
}

export async function poolsPage({ main, credentials }: PageContext) {
	const msg = messages();
	const body = h("tbody");
	const more = h(
		"button",
		{ type: "button", class: "secondary", hidden: true },
		"Show more pools",
	);
	main.append(
		h("h1", {}, "Identity pools"),
		h(
			"p",
			{},
			`The pools of this account in ${credentials.region}. `,
			h("a", { href: "#/pools/new", class: "button" }, "Create a pool"),
		),
		msg.error,
		msg.status,
		h(
			"table",
			{},
			h(
				"caption",
				{ class: "hint" },
				"Identity pools, in the order of their ids",
			),
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					h("th", { scope: "col" }, "Name"),
					h("th", { scope: "col" }, "Identity pool id"),
					h("th", { scope: "col" }, "Pages"),
				),
			),
			body,
		),
		more,
	);
	const client = cognito(credentials);
	let next: string | undefined;
	const load = async () => {
		msg.say("Loading pools…");
		try {
			const page = await client.send(
				new ListIdentityPoolsCommand({
					MaxResults: PAGE_SIZE,
					...(next ? { NextToken: next } : {}),
				}),
			);
			for (const pool of page.IdentityPools ?? []) {
				const id = pool.IdentityPoolId as string;
				body.append(
					h(
						"tr",
						{},
						h("td", {}, h("a", { href: poolPath(id) }, pool.IdentityPoolName)),
						h("td", {}, h("code", {}, id)),
						h(
							"td",
							{ class: "actions" },
							h(
								"a",
								{
									href: poolPath(id, "/identities"),
									"aria-label": `Identities of ${pool.IdentityPoolName}`,
								},
								"Identities",
							),
							h(
								"a",
								{
									href: `#/try/${encodeURIComponent(id)}`,
									"aria-label": `Try it with ${pool.IdentityPoolName}`,
								},
								"Try it",
							),
						),
					),
				);
			}
			next = page.NextToken;
			more.hidden = next === undefined;
			const count = body.children.length;
			msg.say(
				count === 0
					? "No pools yet."
					: `${count} pool${count === 1 ? "" : "s"}${next ? " shown; there are more" : ""}.`,
			);
		} catch (err) {
			msg.fail(err);
		}
	};
	more.addEventListener("click", () => void load());
	const flashed = takeFlash();
	await load();
	if (flashed) msg.say(flashed);
}
