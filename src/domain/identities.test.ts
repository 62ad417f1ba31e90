/**
 * @module domain/identities.test
 * Unit tests of the identity planners on hand-built snapshots (no store): for each rule of
 * docs/behaviour.md#identities, the exact change planned and the answer, or the error.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	amazon,
	DEVELOPER,
	dev,
	facebook,
	google,
} from "../../test/support/logins.ts";
import { ServiceError } from "../errors/service-errors.ts";
import {
	identityForbidden,
	identityNotFound,
	LOGINS_DONT_MATCH,
	type LoginRequest,
	loginProviders,
	planDeveloperMerge,
	planLogins,
	planUnlink,
} from "./identities.ts";
import {
	type IdentityRecord,
	type IdentitySnapshot,
	type LoginRef,
	loginKey,
} from "./records.ts";

const NEW = "us-east-1:00000000-0000-4000-8000-00000000000e";
const A = "us-east-1:00000000-0000-4000-8000-00000000000a";
const B = "us-east-1:00000000-0000-4000-8000-00000000000b";
const C = "us-east-1:00000000-0000-4000-8000-00000000000c";
const G = "us-east-1:00000000-0000-4000-8000-000000000009";
const T0 = 1_700_000_000_000;

function identity(
	identityId: string,
	options: {
		logins?: LoginRef[];
		createdAt?: number;
		state?: IdentityRecord["state"];
		authenticated?: boolean;
	} = {},
): IdentityRecord {
	const logins = options.logins ?? [];
	return {
		identityId,
		poolId: "us-east-1:11111111-1111-4111-8111-111111111111",
		accountId: "111111111111",
		region: "us-east-1",
		state: options.state ?? "active",
		authenticated: options.authenticated ?? logins.length > 0,
		logins,
		createdAt: options.createdAt ?? T0,
		updatedAt: options.createdAt ?? T0,
	};
}

/** A snapshot holding these identities, their logins owned by them. */
function snapshot(...identities: IdentityRecord[]): IdentitySnapshot {
	const owners = new Map<string, string>();
	for (const i of identities) {
		for (const l of i.logins) owners.set(loginKey(l), i.identityId);
	}
	return {
		identities: new Map(identities.map((i) => [i.identityId, i])),
		owners,
	};
}

function request(
	partial: Partial<LoginRequest> & { logins: LoginRef[] },
): LoginRequest {
	return {
		newIdentityId: NEW,
		maxLogins: 20,
		flow: "public",
		limitError: "limit",
		...partial,
	};
}

/** Asserts that `run` throws the ServiceError `type` (and exactly `message` if given). */
function throwsService(run: () => unknown, type: string, message?: string) {
	assert.throws(run, (error: unknown) => {
		assert.ok(error instanceof ServiceError, `not a ServiceError: ${error}`);
		assert.equal(error.name, type);
		if (message !== undefined) assert.equal(error.message, message);
		return true;
	});
}

describe("planLogins without an identity named", () => {
	test("no login: a new guest", () => {
		assert.deepEqual(planLogins(snapshot(), request({ logins: [] })), {
			change: { create: { identityId: NEW, authenticated: false } },
			result: { identityId: NEW, created: true },
		});
	});

	test("new logins: a new authenticated identity with them linked", () => {
		const logins = [google("g"), facebook("f")];
		assert.deepEqual(planLogins(snapshot(), request({ logins })), {
			change: {
				create: { identityId: NEW, authenticated: true },
				link: logins.map((login) => ({ identityId: NEW, login })),
			},
			result: { identityId: NEW, created: true },
		});
	});

	test("a new developer login: a new authenticated identity (developer flow)", () => {
		assert.deepEqual(
			planLogins(
				snapshot(),
				request({ logins: [dev("u")], flow: "developer" }),
			),
			{
				change: {
					create: { identityId: NEW, authenticated: true },
					link: [{ identityId: NEW, login: dev("u") }],
				},
				result: { identityId: NEW, created: true },
			},
		);
	});

	test("a known login: its identity, nothing changes", () => {
		const a = identity(A, { logins: [google("g")] });
		assert.deepEqual(
			planLogins(snapshot(a), request({ logins: [google("g")] })),
			{
				change: {},
				result: { identityId: A, created: false },
			},
		);
	});

	test("a known login and a new one: the new one is linked to the owner", () => {
		const a = identity(A, { logins: [google("g")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ logins: [facebook("f"), google("g")] }),
			),
			{
				change: { link: [{ identityId: A, login: facebook("f") }] },
				result: { identityId: A, created: false },
			},
		);
	});

	test("logins of two identities: merged into the oldest, whatever the order presented", () => {
		const older = identity(A, { logins: [google("g")], createdAt: T0 + 1 });
		const newer = identity(B, { logins: [facebook("f")], createdAt: T0 + 2 });
		for (const logins of [
			[facebook("f"), google("g"), amazon("z")],
			[google("g"), amazon("z"), facebook("f")],
		]) {
			assert.deepEqual(
				planLogins(snapshot(newer, older), request({ logins })),
				{
					change: {
						merge: [{ from: B, into: A }],
						link: [{ identityId: A, login: amazon("z") }],
					},
					result: { identityId: A, created: false },
				},
			);
		}
	});

	test("logins of three identities: the two younger merged into the oldest", () => {
		const a = identity(A, { logins: [google("g")], createdAt: T0 + 3 });
		const b = identity(B, { logins: [facebook("f")], createdAt: T0 + 1 });
		const c = identity(C, { logins: [amazon("z")], createdAt: T0 + 2 });
		const planned = planLogins(
			snapshot(a, b, c),
			request({ logins: [google("g"), facebook("f"), amazon("z")] }),
		);
		assert.deepEqual(planned.result, { identityId: B, created: false });
		assert.deepEqual(planned.change, {
			merge: [
				{ from: A, into: B },
				{ from: C, into: B },
			],
		});
	});

	test("developer flow: merged into the developer login's owner, even if younger", () => {
		const older = identity(A, { logins: [google("g")], createdAt: T0 + 1 });
		const owner = identity(B, { logins: [dev("u")], createdAt: T0 + 2 });
		assert.deepEqual(
			planLogins(
				snapshot(older, owner),
				request({ logins: [google("g"), dev("u")], flow: "developer" }),
			),
			{
				change: { merge: [{ from: A, into: B }] },
				result: { identityId: B, created: false },
			},
		);
	});

	test("developer flow: a new developer login with an external login known goes to its owner", () => {
		const a = identity(A, { logins: [google("g")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ logins: [dev("u"), google("g")], flow: "developer" }),
			),
			{
				change: { link: [{ identityId: A, login: dev("u") }] },
				result: { identityId: A, created: false },
			},
		);
	});

	test("a merge bringing a second user of one provider: ResourceConflictException", () => {
		const a = identity(A, { logins: [google("g1")], createdAt: T0 + 1 });
		const b = identity(B, {
			logins: [facebook("f"), google("g2")],
			createdAt: T0 + 2,
		});
		throwsService(
			() =>
				planLogins(
					snapshot(a, b),
					request({ logins: [google("g1"), facebook("f")] }),
				),
			"ResourceConflictException",
		);
	});

	test("more than maxLogins after a merge: LimitExceededException or InvalidParameterException", () => {
		const a = identity(A, {
			logins: [google("g"), amazon("z")],
			createdAt: T0 + 1,
		});
		const b = identity(B, { logins: [facebook("f")], createdAt: T0 + 2 });
		const logins = [google("g"), facebook("f")];
		throwsService(
			() =>
				planLogins(
					snapshot(a, b),
					request({ logins, maxLogins: 2, limitError: "limit" }),
				),
			"LimitExceededException",
		);
		throwsService(
			() =>
				planLogins(
					snapshot(a, b),
					request({ logins, maxLogins: 2, limitError: "parameter" }),
				),
			"InvalidParameterException",
		);
		// Exactly maxLogins is fine.
		assert.deepEqual(
			planLogins(snapshot(a, b), request({ logins, maxLogins: 3 })).change,
			{ merge: [{ from: B, into: A }] },
		);
	});

	test("more than maxLogins presented at once for a new identity", () => {
		throwsService(
			() =>
				planLogins(
					snapshot(),
					request({
						logins: [google("g"), facebook("f"), amazon("z")],
						maxLogins: 2,
						limitError: "parameter",
					}),
				),
			"InvalidParameterException",
		);
	});
});

describe("planLogins with an identity named (public flow)", () => {
	test("unknown: ResourceNotFoundException Identity '<id>' not found.", () => {
		throwsService(
			() => planLogins(snapshot(), request({ identityId: A, logins: [] })),
			"ResourceNotFoundException",
			`Identity '${A}' not found.`,
		);
		assert.equal(identityNotFound(A).message, `Identity '${A}' not found.`);
	});

	test("disabled or inaccessible: NotAuthorizedException Access to Identity '<id>' is forbidden.", () => {
		for (const state of ["disabled", "inaccessible"] as const) {
			const a = identity(A, { state, authenticated: true });
			for (const flow of ["public", "developer"] as const) {
				throwsService(
					() =>
						planLogins(
							snapshot(a),
							request({
								identityId: A,
								logins: flow === "developer" ? [dev("u")] : [google("g")],
								flow,
							}),
						),
					"NotAuthorizedException",
					`Access to Identity '${A}' is forbidden.`,
				);
			}
		}
		assert.equal(
			identityForbidden(A).message,
			`Access to Identity '${A}' is forbidden.`,
		);
	});

	test("a guest with no login: itself, nothing changes", () => {
		const g = identity(G);
		assert.deepEqual(
			planLogins(snapshot(g), request({ identityId: G, logins: [] })),
			{ change: {}, result: { identityId: G, created: false } },
		);
	});

	test("a guest with a new login keeps its id; the login is linked to it", () => {
		const g = identity(G);
		assert.deepEqual(
			planLogins(
				snapshot(g),
				request({ identityId: G, logins: [google("g")] }),
			),
			{
				change: { link: [{ identityId: G, login: google("g") }] },
				result: { identityId: G, created: false },
			},
		);
	});

	test("a guest with a login linked elsewhere moves there; the guest is disabled", () => {
		const g = identity(G, { createdAt: T0 });
		const a = identity(A, { logins: [google("g")], createdAt: T0 + 10 });
		assert.deepEqual(
			planLogins(
				snapshot(g, a),
				request({ identityId: G, logins: [google("g"), facebook("f")] }),
			),
			{
				change: {
					merge: [{ from: G, into: A }],
					link: [{ identityId: A, login: facebook("f") }],
				},
				result: { identityId: A, created: false },
			},
		);
	});

	test("a guest with logins of two identities moves to the oldest; the other is merged too", () => {
		const g = identity(G, { createdAt: T0 });
		const a = identity(A, { logins: [google("g")], createdAt: T0 + 20 });
		const b = identity(B, { logins: [facebook("f")], createdAt: T0 + 10 });
		assert.deepEqual(
			planLogins(
				snapshot(g, a, b),
				request({ identityId: G, logins: [google("g"), facebook("f")] }),
			),
			{
				change: {
					merge: [
						{ from: G, into: B },
						{ from: A, into: B },
					],
				},
				result: { identityId: B, created: false },
			},
		);
	});

	test("an authenticated identity with one of its logins: itself", () => {
		const a = identity(A, { logins: [google("g"), facebook("f")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ identityId: A, logins: [facebook("f")] }),
			),
			{ change: {}, result: { identityId: A, created: false } },
		);
	});

	test("an authenticated identity with one of its logins and a new one: linked", () => {
		const a = identity(A, { logins: [google("g")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ identityId: A, logins: [google("g"), amazon("z")] }),
			),
			{
				change: { link: [{ identityId: A, login: amazon("z") }] },
				result: { identityId: A, created: false },
			},
		);
	});

	test("the identity named absorbs the other owner, even if that one is older", () => {
		const older = identity(B, { logins: [facebook("f")], createdAt: T0 });
		const named = identity(A, { logins: [google("g")], createdAt: T0 + 10 });
		assert.deepEqual(
			planLogins(
				snapshot(older, named),
				request({ identityId: A, logins: [facebook("f"), google("g")] }),
			),
			{
				change: { merge: [{ from: B, into: A }] },
				result: { identityId: A, created: false },
			},
		);
	});

	test("an authenticated identity without one of its logins: Logins don't match", () => {
		const a = identity(A, { logins: [google("g")] });
		const b = identity(B, { logins: [facebook("f")] });
		for (const logins of [[], [amazon("new")], [facebook("f")]]) {
			throwsService(
				() => planLogins(snapshot(a, b), request({ identityId: A, logins })),
				"NotAuthorizedException",
				LOGINS_DONT_MATCH,
			);
		}
		assert.equal(
			LOGINS_DONT_MATCH,
			"Logins don't match. Please include at least one valid login for this identity or identity pool.",
		);
	});

	test("a second user of a provider linked: ResourceConflictException", () => {
		const a = identity(A, { logins: [google("g1"), facebook("f")] });
		throwsService(
			() =>
				planLogins(
					snapshot(a),
					request({ identityId: A, logins: [facebook("f"), google("g2")] }),
				),
			"ResourceConflictException",
		);
	});

	test("a second user of a provider merged in: ResourceConflictException", () => {
		const a = identity(A, { logins: [google("g1")] });
		const b = identity(B, { logins: [facebook("f"), google("g2")] });
		throwsService(
			() =>
				planLogins(
					snapshot(a, b),
					request({ identityId: A, logins: [google("g1"), facebook("f")] }),
				),
			"ResourceConflictException",
		);
	});

	test("more than maxLogins by linking: LimitExceededException or InvalidParameterException", () => {
		const a = identity(A, { logins: [google("g"), facebook("f")] });
		const logins = [google("g"), amazon("z")];
		throwsService(
			() =>
				planLogins(
					snapshot(a),
					request({ identityId: A, logins, maxLogins: 2 }),
				),
			"LimitExceededException",
			"An identity can have at most 2 linked logins.",
		);
		throwsService(
			() =>
				planLogins(
					snapshot(a),
					request({
						identityId: A,
						logins,
						maxLogins: 2,
						limitError: "parameter",
					}),
				),
			"InvalidParameterException",
			"An identity can have at most 2 linked logins.",
		);
	});
});

describe("planLogins with an identity named (developer flow)", () => {
	test("a developer user linked to another identity: DeveloperUserAlreadyRegisteredException", () => {
		const a = identity(A, { logins: [dev("u1")] });
		const b = identity(B, { logins: [dev("u2")] });
		throwsService(
			() =>
				planLogins(
					snapshot(a, b),
					request({ identityId: B, logins: [dev("u1")], flow: "developer" }),
				),
			"DeveloperUserAlreadyRegisteredException",
			"The provided developer user identifier is already registered with Cognito under a different identity ID.",
		);
	});

	test("... also when the identity named is a guest (no move in the developer flow)", () => {
		const a = identity(A, { logins: [dev("u1")] });
		const g = identity(G);
		throwsService(
			() =>
				planLogins(
					snapshot(a, g),
					request({ identityId: G, logins: [dev("u1")], flow: "developer" }),
				),
			"DeveloperUserAlreadyRegisteredException",
		);
	});

	test("the developer user already linked to the identity named: itself", () => {
		const a = identity(A, { logins: [dev("u1"), google("g")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ identityId: A, logins: [dev("u1")], flow: "developer" }),
			),
			{ change: {}, result: { identityId: A, created: false } },
		);
	});

	test("an identity with only developer logins needs no proof for another developer user", () => {
		const a = identity(A, { logins: [dev("u1")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ identityId: A, logins: [dev("u2")], flow: "developer" }),
			),
			{
				change: { link: [{ identityId: A, login: dev("u2") }] },
				result: { identityId: A, created: false },
			},
		);
	});

	test("a guest named takes a new developer user", () => {
		const g = identity(G);
		assert.deepEqual(
			planLogins(
				snapshot(g),
				request({ identityId: G, logins: [dev("u")], flow: "developer" }),
			),
			{
				change: { link: [{ identityId: G, login: dev("u") }] },
				result: { identityId: G, created: false },
			},
		);
	});

	test("an identity with external logins needs one of them: Logins don't match", () => {
		const a = identity(A, { logins: [dev("u1"), google("g")] });
		throwsService(
			() =>
				planLogins(
					snapshot(a),
					request({ identityId: A, logins: [dev("u2")], flow: "developer" }),
				),
			"NotAuthorizedException",
			LOGINS_DONT_MATCH,
		);
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({
					identityId: A,
					logins: [dev("u2"), google("g")],
					flow: "developer",
				}),
			),
			{
				change: { link: [{ identityId: A, login: dev("u2") }] },
				result: { identityId: A, created: false },
			},
		);
	});

	test("several developer users on one identity are no conflict", () => {
		const a = identity(A, { logins: [dev("u1"), dev("u2")] });
		assert.deepEqual(
			planLogins(
				snapshot(a),
				request({ identityId: A, logins: [dev("u3")], flow: "developer" }),
			).change,
			{ link: [{ identityId: A, login: dev("u3") }] },
		);
	});

	test("an external login of another identity is merged into the identity named", () => {
		const a = identity(A, { logins: [dev("u1")], createdAt: T0 + 10 });
		const b = identity(B, { logins: [facebook("f")], createdAt: T0 });
		assert.deepEqual(
			planLogins(
				snapshot(a, b),
				request({
					identityId: A,
					logins: [dev("u1"), facebook("f")],
					flow: "developer",
				}),
			),
			{
				change: { merge: [{ from: B, into: A }] },
				result: { identityId: A, created: false },
			},
		);
	});
});

describe("planDeveloperMerge", () => {
	test("the source's identity joins the destination's", () => {
		const s = identity(A, { logins: [dev("src"), facebook("f")] });
		const d = identity(B, { logins: [dev("dst"), google("g")] });
		assert.deepEqual(
			planDeveloperMerge(snapshot(s, d), {
				source: dev("src"),
				destination: dev("dst"),
				maxLogins: 20,
			}),
			{ change: { merge: [{ from: A, into: B }] }, result: { identityId: B } },
		);
	});

	test("both users on one identity: nothing to do", () => {
		const a = identity(A, { logins: [dev("src"), dev("dst")] });
		assert.deepEqual(
			planDeveloperMerge(snapshot(a), {
				source: dev("src"),
				destination: dev("dst"),
				maxLogins: 20,
			}),
			{ change: {}, result: { identityId: A } },
		);
	});

	test("an unknown source or destination: ResourceNotFoundException", () => {
		const d = identity(B, { logins: [dev("dst")] });
		throwsService(
			() =>
				planDeveloperMerge(snapshot(d), {
					source: dev("nobody"),
					destination: dev("dst"),
					maxLogins: 20,
				}),
			"ResourceNotFoundException",
		);
		throwsService(
			() =>
				planDeveloperMerge(snapshot(d), {
					source: dev("dst"),
					destination: dev("nobody"),
					maxLogins: 20,
				}),
			"ResourceNotFoundException",
		);
	});

	test("two users of one provider: ResourceConflictException", () => {
		const s = identity(A, { logins: [dev("src"), google("g1")] });
		const d = identity(B, { logins: [dev("dst"), google("g2")] });
		throwsService(
			() =>
				planDeveloperMerge(snapshot(s, d), {
					source: dev("src"),
					destination: dev("dst"),
					maxLogins: 20,
				}),
			"ResourceConflictException",
		);
	});

	test("more than maxLogins together: InvalidParameterException (the operation has no LimitExceededException)", () => {
		const s = identity(A, { logins: [dev("src"), dev("s2")] });
		const d = identity(B, { logins: [dev("dst")] });
		throwsService(
			() =>
				planDeveloperMerge(snapshot(s, d), {
					source: dev("src"),
					destination: dev("dst"),
					maxLogins: 2,
				}),
			"InvalidParameterException",
		);
		assert.deepEqual(
			planDeveloperMerge(snapshot(s, d), {
				source: dev("src"),
				destination: dev("dst"),
				maxLogins: 3,
			}).change,
			{ merge: [{ from: A, into: B }] },
		);
	});
});

describe("planUnlink", () => {
	test("unlinking one of several logins", () => {
		const a = identity(A, { logins: [dev("u1"), google("g")] });
		assert.deepEqual(
			planUnlink(snapshot(a), { identityId: A, logins: [dev("u1")] }),
			{ change: { unlink: [dev("u1")] }, result: undefined },
		);
	});

	test("unlinking the last login makes the identity inaccessible", () => {
		const a = identity(A, { logins: [google("g")] });
		assert.deepEqual(
			planUnlink(snapshot(a), { identityId: A, logins: [google("g")] }),
			{
				change: {
					unlink: [google("g")],
					state: [{ identityId: A, state: "inaccessible" }],
				},
				result: undefined,
			},
		);
		const b = identity(B, { logins: [dev("u1"), dev("u2")] });
		assert.deepEqual(
			planUnlink(snapshot(b), { identityId: B, logins: [dev("u1"), dev("u2")] })
				.change,
			{
				unlink: [dev("u1"), dev("u2")],
				state: [{ identityId: B, state: "inaccessible" }],
			},
		);
	});

	test("a login presented twice counts once", () => {
		const a = identity(A, { logins: [dev("u1"), dev("u2")] });
		const planned = planUnlink(snapshot(a), {
			identityId: A,
			logins: [dev("u1"), dev("u1")],
		});
		// u2 stays linked: the identity must stay accessible.
		assert.equal(planned.change.state, undefined);
	});

	test("unlinking nothing does not make an identity inaccessible", () => {
		const g = identity(G);
		assert.equal(
			planUnlink(snapshot(g), { identityId: G, logins: [] }).change.state,
			undefined,
		);
	});

	test("a login not linked to the identity: ResourceConflictException", () => {
		const a = identity(A, { logins: [dev("u1")] });
		const b = identity(B, { logins: [dev("u2")] });
		for (const login of [dev("u2"), dev("nobody"), google("u1")]) {
			throwsService(
				() => planUnlink(snapshot(a, b), { identityId: A, logins: [login] }),
				"ResourceConflictException",
			);
		}
	});

	test("an unknown identity: ResourceNotFoundException", () => {
		throwsService(
			() => planUnlink(snapshot(), { identityId: A, logins: [dev("u1")] }),
			"ResourceNotFoundException",
			`Identity '${A}' not found.`,
		);
	});
});

describe("loginProviders", () => {
	test("loginProviders lists each provider once; none for no login", () => {
		assert.equal(loginProviders(identity(G)), undefined);
		assert.deepEqual(
			loginProviders(
				identity(A, { logins: [dev("u1"), google("g"), dev("u2")] }),
			),
			[DEVELOPER, "accounts.google.com"],
		);
	});
});
