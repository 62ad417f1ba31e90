/**
 * @module domain/records
 * The records of the domain: identity pools (their settings, roles, role mappings, principal
 * tag maps and tags), identities and the logins linked to them, the changes a planner
 * decides on a snapshot of identities, signing keys and issued credentials. Plain data, free
 * of HTTP and SQL: the store port (`store/store.ts`) stores and answers these, and imports
 * them from here, never the reverse. Times are milliseconds since the epoch.
 */
/** Identifies a pool within its tenant (docs/behaviour.md#accounts-and-regions: pools live in an account and a region). */
export interface PoolKey {
	accountId: string;
	region: string;
	poolId: string;
}

/** A Cognito user pool configured as a provider of an identity pool. */
export interface CognitoProviderSettings {
	ProviderName?: string;
	ClientId?: string;
	ServerSideTokenCheck?: boolean;
}

/**
 * The configurable members of an identity pool, in their wire form. Optional members that
 * are unset are absent (not `undefined`-valued) so that they are omitted from answers.
 */
export interface PoolSettings {
	IdentityPoolName: string;
	AllowUnauthenticatedIdentities: boolean;
	AllowClassicFlow?: boolean;
	SupportedLoginProviders?: Record<string, string>;
	DeveloperProviderName?: string;
	OpenIdConnectProviderARNs?: string[];
	CognitoIdentityProviders?: CognitoProviderSettings[];
	SamlProviderARNs?: string[];
}

/** A rule of a `Rules` role mapping, in its wire form. */
export interface MappingRuleDoc {
	Claim: string;
	MatchType: "Equals" | "Contains" | "StartsWith" | "NotEqual";
	Value: string;
	RoleARN: string;
}

/** A role mapping of one provider (SetIdentityPoolRoles), in its wire form. */
export interface RoleMappingDoc {
	Type: "Token" | "Rules";
	AmbiguousRoleResolution?: "AuthenticatedRole" | "Deny";
	RulesConfiguration?: { Rules: MappingRuleDoc[] };
}

/**
 * The principal tag attribute map of one provider of a pool (SetPrincipalTagAttributeMap,
 * docs/behaviour.md#principal-tags), as stored: what the caller set, not what is in force (`useDefaults: true`
 * stands for the provider's default map, which the domain knows).
 */
export interface PrincipalTagMapRecord {
	/** Whether the provider's default map applies (then `principalTags` is `{}`). */
	useDefaults: boolean;
	/** Session tag key → claim name; `{}` with `useDefaults: false` is inactive. */
	principalTags: Record<string, string>;
}

/** A stored identity pool. */
export interface PoolRecord extends PoolKey {
	settings: PoolSettings;
	/** Default roles by `authenticated` / `unauthenticated` (SetIdentityPoolRoles); `{}` when unset. */
	roles: Record<string, string>;
	/** Role mappings by provider key; absent when unset. */
	roleMappings?: Record<string, RoleMappingDoc>;
	/** Resource tags (`IdentityPoolTags`, TagResource). */
	tags: Record<string, string>;
	createdAt: number;
	updatedAt: number;
}

/**
 * A login linked to an identity: a provider name as it appears in `Logins` (or the pool's
 * developer provider name) and the user it names there (the developer user identifier, or
 * the subject of an external provider's token).
 */
export interface LoginRef {
	provider: string;
	subject: string;
	/** Developer identifiers may be several per identity; external logins one per provider. */
	kind: "developer" | "external";
}

/**
 * `active`: usable. `disabled`: merged into another identity (docs/behaviour.md#identities).
 * `inaccessible`: its last login was unlinked (docs/behaviour.md#identities). Both of the latter are refused
 * tokens and credentials, and count as disabled for `HideDisabled`.
 */
export type IdentityState = "active" | "disabled" | "inaccessible";

/** A stored identity. */
export interface IdentityRecord {
	identityId: string;
	poolId: string;
	accountId: string;
	region: string;
	state: IdentityState;
	/** Whether it ever had a login (guests never did). */
	authenticated: boolean;
	/** Linked logins, in the order they were linked. */
	logins: LoginRef[];
	createdAt: number;
	updatedAt: number;
}

/**
 * What a change of identities reads, inside its transaction: the identities named by id and
 * those owning any of the logins named, each with all its logins. Only identities of the
 * pool are included.
 */
export interface IdentitySnapshot {
	/** By identity id. */
	identities: ReadonlyMap<string, IdentityRecord>;
	/** Owner identity id by login key (see {@link loginKey}). */
	owners: ReadonlyMap<string, string>;
}

/**
 * A change to identities and logins, computed by a pure planner from a snapshot and applied
 * atomically. Applied in this order: create, merge, unlink, link, state.
 */
export interface IdentityChange {
	/** A new identity. */
	create?: { identityId: string; authenticated: boolean };
	/** Moves every login of `from` to `into` and disables `from`. */
	merge?: { from: string; into: string }[];
	/** Removes these logins (from whichever identity holds them). */
	unlink?: LoginRef[];
	/** Links new logins to an identity (which becomes authenticated). */
	link?: { identityId: string; login: LoginRef }[];
	/** Sets states explicitly (e.g. inaccessible after the last unlink). */
	state?: { identityId: string; state: IdentityState }[];
}

/** A planner's answer: what to change, and what to answer the caller. */
export interface Planned<T> {
	change: IdentityChange;
	result: T;
}

/** The key of a login in {@link IdentitySnapshot.owners}. */
export function loginKey(login: { provider: string; subject: string }): string {
	return `${login.provider}\u0000${login.subject}`;
}

/**
 * A token-signing key pair. Keys are generated by the server and kept only in the store
 * (never in files of the repository), so every instance on one database serves the same JWKS.
 */
/**
 * The JWS algorithms this server can sign its OpenID tokens with (docs/keys.md#es256): RS512
 * (2048-bit RSA, the default, as AWS) and ES256 (P-256).
 */
export const TOKEN_ALGORITHMS = ["RS512", "ES256"] as const;

/** One of {@link TOKEN_ALGORITHMS}. */
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** The algorithm when none is configured: RS512, as AWS signs (docs/behaviour.md#tokens). */
export const DEFAULT_TOKEN_ALGORITHM: TokenAlgorithm = "RS512";

export interface SigningKeyRecord {
	/** RFC 7638 thumbprint of the public key. */
	kid: string;
	/** JWS algorithm, one of {@link TOKEN_ALGORITHMS}: `RS512` or `ES256`. */
	alg: string;
	/** The public key as a JWK (`kty`, `n`, `e` for RSA; `kty`, `crv`, `x`, `y` for EC). */
	publicJwk: Record<string, string>;
	/**
	 * The private key as stored: a PKCS#8 PEM, or its ciphertext under a key-encryption key
	 * (`tokens/key-encryption.ts`, docs/behaviour.md#keys). The store keeps it as an opaque string.
	 */
	privateKeyPem: string;
	createdAt: number;
	/** From when the key may sign (rotation publishes a key before it signs, docs/behaviour.md#keys). */
	activatesAt: number;
	/** From when the key no longer signs; it stays published until its last token expires. */
	retiredAt?: number;
}

/**
 * AWS credentials this server issued (the local credentials provider, docs/behaviour.md#credentials), kept
 * so that its STS-compatible endpoint can recognise them.
 */
export interface IssuedCredentialRecord {
	/** `ASIA...`. */
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken: string;
	identityId: string;
	poolId: string;
	accountId: string;
	region: string;
	roleArn: string;
	/** Session tags applied with the credentials. */
	principalTags: Record<string, string>;
	createdAt: number;
	expiresAt: number;
}
