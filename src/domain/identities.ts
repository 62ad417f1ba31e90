/**
 * @module domain/identities
 * The rules of identities and logins, as pure planners: each reads a snapshot of the
 * identities involved and answers the change to make (applied atomically by the store) and
 * the result, or throws the AWS error. Sources: docs/behaviour.md#identities.
 */
import {
	DeveloperUserAlreadyRegisteredException,
	InvalidParameterException,
	LimitExceededException,
	NotAuthorizedException,
	ResourceConflictException,
	ResourceNotFoundException,
} from "../errors/service-errors.ts";
import {
	type IdentityChange,
	type IdentityRecord,
	type IdentitySnapshot,
	type LoginRef,
	loginKey,
	type Planned,
} from "./records.ts";

/** Observed on AWS (amplify-js#2301; Amplify matches this exact text). */
export function identityNotFound(identityId: string): Error {
	return new ResourceNotFoundException(`Identity '${identityId}' not found.`);
}

/** Observed on AWS (aws-sdk-android#175): a disabled or inaccessible identity. */
export function identityForbidden(identityId: string): Error {
	return new NotAuthorizedException(
		`Access to Identity '${identityId}' is forbidden.`,
	);
}

/** Observed on AWS (amplify-js#2443). */
export const LOGINS_DONT_MATCH =
	"Logins don't match. Please include at least one valid login for this identity or identity pool.";

/** The model's text for DeveloperUserAlreadyRegisteredException. */
const ALREADY_REGISTERED =
	"The provided developer user identifier is already registered with Cognito under a different identity ID.";

/** What a call that presents logins asks for. */
export interface LoginRequest {
	/** The `IdentityId` named in the call, if any. */
	identityId?: string;
	/** Every login presented (developer and external), already validated. */
	logins: LoginRef[];
	/** The id to give a new identity, if one is created. */
	newIdentityId: string;
	/** Linked logins allowed per identity (AWS: 20). */
	maxLogins: number;
	/**
	 * `developer`: GetOpenIdTokenForDeveloperIdentity (docs/behaviour.md#identities). `public`: GetId,
	 * GetOpenIdToken, GetCredentialsForIdentity (docs/behaviour.md#identities).
	 */
	flow: "developer" | "public";
	/** Whether the operation lists LimitExceededException; otherwise InvalidParameterException. */
	limitError: "limit" | "parameter";
	/**
	 * The identity named is already proven by other means (a token this server issued for
	 * it, in GetCredentialsForIdentity): no presented login needs to be linked to it.
	 */
	proven?: boolean;
}

function tooManyLogins(max: number, kind: LoginRequest["limitError"]): Error {
	const message = `An identity can have at most ${max} linked logins.`;
	return kind === "limit"
		? new LimitExceededException(message)
		: new InvalidParameterException(message);
}

/**
 * Checks a prospective set of logins of one identity: one user per external provider
 * (ResourceConflictException) and at most `max` logins.
 */
function checkLoginSet(
	logins: LoginRef[],
	max: number,
	limitError: LoginRequest["limitError"],
): void {
	const external = new Map<string, string>();
	for (const login of logins) {
		if (login.kind !== "external") continue;
		const seen = external.get(login.provider);
		if (seen !== undefined && seen !== login.subject) {
			throw new ResourceConflictException(
				`A different ${login.provider} login is already linked to this identity.`,
			);
		}
		external.set(login.provider, login.subject);
	}
	if (logins.length > max) throw tooManyLogins(max, limitError);
}

function oldest(identities: IdentityRecord[]): IdentityRecord | undefined {
	return identities.reduce<IdentityRecord | undefined>(
		// Ties (same millisecond) are broken by id, so the choice never depends on the order
		// in which the logins were presented.
		(best, i) =>
			!best ||
			i.createdAt < best.createdAt ||
			(i.createdAt === best.createdAt && i.identityId < best.identityId)
				? i
				: best,
		undefined,
	);
}

/**
 * Decides which identity a set of logins resolves to, linking new logins and merging the
 * identities that own the others (docs/behaviour.md#identities):
 * - target: the identity named in the call, else the one owning the developer login, else
 *   the oldest owner, else a new authenticated identity;
 * - public flow only: a guest named in the call never absorbs an authenticated identity; when
 *   a login presented is linked elsewhere, the answer is that identity and the guest is
 *   disabled;
 * - developer flow: a developer user linked to another identity than the one named is
 *   DeveloperUserAlreadyRegisteredException;
 * - an identity named with external logins must be presented at least one of them
 *   ("Logins don't match"); developer identifiers need no such proof;
 * - the others give their logins to the target and are disabled.
 */
export function planLogins(
	snapshot: IdentitySnapshot,
	request: LoginRequest,
): Planned<{ identityId: string; created: boolean }> {
	const ownerOf = (login: LoginRef) => snapshot.owners.get(loginKey(login));
	const owners = new Set<string>();
	for (const login of request.logins) {
		const owner = ownerOf(login);
		if (owner !== undefined) owners.add(owner);
	}
	const developer = request.logins.find((l) => l.kind === "developer");
	let target: IdentityRecord | undefined;
	const change: IdentityChange = {};
	const merged: IdentityRecord[] = [];

	if (request.identityId !== undefined) {
		const named = snapshot.identities.get(request.identityId);
		if (!named) throw identityNotFound(request.identityId);
		if (named.state !== "active") throw identityForbidden(request.identityId);
		if (request.flow === "developer" && developer) {
			const devOwner = ownerOf(developer);
			if (devOwner !== undefined && devOwner !== named.identityId) {
				throw new DeveloperUserAlreadyRegisteredException(ALREADY_REGISTERED);
			}
		}
		const namedExternal = named.logins.filter((l) => l.kind === "external");
		// Developer flow: only external logins need proof, and a developer user already linked
		// to the named identity is proof enough (docs/behaviour.md#identities).
		const proofRequired =
			request.flow === "developer"
				? namedExternal.length > 0 &&
					(developer === undefined || ownerOf(developer) !== named.identityId)
				: named.logins.length > 0;
		if (
			proofRequired &&
			!request.proven &&
			!request.logins.some((l) => ownerOf(l) === named.identityId)
		) {
			throw new NotAuthorizedException(LOGINS_DONT_MATCH);
		}
		const others = [...owners].filter((id) => id !== named.identityId);
		if (
			request.flow === "public" &&
			!named.authenticated &&
			others.length > 0
		) {
			// A guest signing in with a login already linked elsewhere moves to that identity.
			const records = others.map(
				(id) => snapshot.identities.get(id) as IdentityRecord,
			);
			target = oldest(records) as IdentityRecord;
			merged.push(named, ...records.filter((r) => r !== target));
		} else {
			target = named;
			merged.push(
				...others.map((id) => snapshot.identities.get(id) as IdentityRecord),
			);
		}
	} else {
		const devOwner = developer ? ownerOf(developer) : undefined;
		const records = [...owners].map(
			(id) => snapshot.identities.get(id) as IdentityRecord,
		);
		target =
			devOwner !== undefined
				? snapshot.identities.get(devOwner)
				: oldest(records);
		merged.push(...records.filter((r) => r !== target));
	}

	const created = target === undefined;
	const targetId = target?.identityId ?? request.newIdentityId;
	if (created)
		change.create = {
			identityId: targetId,
			authenticated: request.logins.length > 0,
		};
	const held = new Set((target?.logins ?? []).map(loginKey));
	const fromMerged = merged.flatMap((m) => m.logins);
	for (const l of fromMerged) held.add(loginKey(l));
	const newLogins = request.logins.filter(
		(l) => ownerOf(l) === undefined && !held.has(loginKey(l)),
	);
	checkLoginSet(
		[...(target?.logins ?? []), ...fromMerged, ...newLogins],
		request.maxLogins,
		request.limitError,
	);
	if (merged.length > 0)
		change.merge = merged.map((m) => ({ from: m.identityId, into: targetId }));
	if (newLogins.length > 0) {
		change.link = newLogins.map((login) => ({ identityId: targetId, login }));
	}
	return { change, result: { identityId: targetId, created } };
}

/**
 * MergeDeveloperIdentities: the source user's identity joins the destination user's; its
 * logins move there and it is disabled. Same identity: nothing to do.
 */
export function planDeveloperMerge(
	snapshot: IdentitySnapshot,
	request: { source: LoginRef; destination: LoginRef; maxLogins: number },
): Planned<{ identityId: string }> {
	const sourceId = snapshot.owners.get(loginKey(request.source));
	const destinationId = snapshot.owners.get(loginKey(request.destination));
	if (sourceId === undefined) {
		throw new ResourceNotFoundException(
			`Developer user identifier '${request.source.subject}' not found.`,
		);
	}
	if (destinationId === undefined) {
		throw new ResourceNotFoundException(
			`Developer user identifier '${request.destination.subject}' not found.`,
		);
	}
	if (sourceId === destinationId)
		return { change: {}, result: { identityId: destinationId } };
	const source = snapshot.identities.get(sourceId) as IdentityRecord;
	const destination = snapshot.identities.get(destinationId) as IdentityRecord;
	checkLoginSet(
		[...destination.logins, ...source.logins],
		request.maxLogins,
		"parameter",
	);
	return {
		change: { merge: [{ from: sourceId, into: destinationId }] },
		result: { identityId: destinationId },
	};
}

/**
 * Unlinks one login from an identity; an identity left with no login becomes inaccessible
 * (docs/behaviour.md#identities).
 */
export function planUnlink(
	snapshot: IdentitySnapshot,
	request: { identityId: string; logins: LoginRef[] },
): Planned<undefined> {
	const identity = snapshot.identities.get(request.identityId);
	if (!identity) throw identityNotFound(request.identityId);
	const logins = [
		...new Map(request.logins.map((l) => [loginKey(l), l])).values(),
	];
	for (const login of logins) {
		if (snapshot.owners.get(loginKey(login)) !== identity.identityId) {
			throw new ResourceConflictException(
				`The login of ${login.provider} is not linked to identity '${identity.identityId}'.`,
			);
		}
	}
	const change: IdentityChange = { unlink: logins };
	// Only removing the last login makes an identity inaccessible (docs/behaviour.md#identities).
	if (logins.length > 0 && identity.logins.length === logins.length) {
		change.state = [{ identityId: identity.identityId, state: "inaccessible" }];
	}
	return { change, result: undefined };
}

/** The provider names of an identity's logins, for DescribeIdentity and ListIdentities. */
export function loginProviders(identity: IdentityRecord): string[] | undefined {
	if (identity.logins.length === 0) return undefined;
	return [...new Set(identity.logins.map((l) => l.provider))];
}

/**
 * UnlinkIdentity: removes the identity's logins of the providers named, after the caller
 * proved ownership with a login linked to it (docs/behaviour.md#unlinkidentity and docs/behaviour.md#identities). Developer
 * identifiers are removed with UnlinkDeveloperIdentity instead; an identity left with no
 * login is inaccessible.
 */
export function planUnlinkProviders(
	snapshot: IdentitySnapshot,
	request: {
		identityId: string;
		proof: LoginRef[];
		providers: string[];
		/** The pool's developer provider name, never removed here. */
		developerProvider?: string | undefined;
	},
): Planned<undefined> {
	const identity = snapshot.identities.get(request.identityId);
	if (!identity) throw identityNotFound(request.identityId);
	if (identity.state !== "active") throw identityForbidden(request.identityId);
	if (
		!request.proof.some(
			(l) => snapshot.owners.get(loginKey(l)) === identity.identityId,
		)
	) {
		throw new NotAuthorizedException(LOGINS_DONT_MATCH);
	}
	const remove: LoginRef[] = [];
	for (const provider of new Set(request.providers)) {
		const linked = identity.logins.filter((l) => l.provider === provider);
		if (
			provider === request.developerProvider ||
			linked.some((l) => l.kind === "developer")
		) {
			throw new InvalidParameterException(
				`${provider} is a developer provider: unlink developer users with UnlinkDeveloperIdentity.`,
			);
		}
		if (linked.length === 0) {
			throw new ResourceConflictException(
				`The login of ${provider} is not linked to identity '${identity.identityId}'.`,
			);
		}
		remove.push(...linked);
	}
	const change: IdentityChange = { unlink: remove };
	if (remove.length > 0 && remove.length === identity.logins.length) {
		change.state = [{ identityId: identity.identityId, state: "inaccessible" }];
	}
	return { change, result: undefined };
}
