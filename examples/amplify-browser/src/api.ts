/**
 * What the example's pages give the scripts that drive them (idpool's browser tests, or your
 * own): `window.idpoolExample` on index.html, `window.idpoolSdk` on sdk.html. Types only, free
 * of the DOM, so that Node code can name them.
 */

/** What the Amplify page shows of a session: no token, only what a session proves. */
export interface SessionSummary {
	identityId: string | undefined;
	/** Whether the session has user-pool tokens (a signed-in user). */
	signedIn: boolean;
	/** The user's `sub` at the user pool, when signed in. */
	userSub: string | undefined;
	credentials:
		| {
				accessKeyId: string;
				secretAccessKey: string;
				sessionToken: string | undefined;
				expiration: string | undefined;
		  }
		| undefined;
}

/** `window.idpoolExample` of index.html. */
export interface ExampleApi {
	/** The current session: a guest's when nobody is signed in. */
	session(): Promise<SessionSummary>;
	/** Signs in at the user pool (USER_PASSWORD_AUTH), then answers the session. */
	signIn(username: string, password: string): Promise<SessionSummary>;
	/** Signs out: Amplify forgets the tokens, the credentials and the identity id. */
	signOut(): Promise<void>;
}

/** An SDK error as the SDK page shows it: what the SDK parsed from idpool's answer. */
export interface ParsedError {
	name: string;
	message: string;
	httpStatusCode: number | undefined;
	requestId: string | undefined;
}

/** `window.idpoolSdk` of sdk.html; each function takes idpool's URL and a pool id. */
export interface SdkApi {
	/** GetId, then GetCredentialsForIdentity, for a guest of the pool. */
	guest(
		endpoint: string,
		identityPoolId: string,
	): Promise<{
		identityId: string;
		getIdRequestId: string | undefined;
		credentialsIdentityId: string | undefined;
		accessKeyId: string | undefined;
		expiration: string | undefined;
	}>;
	/** `fromCognitoIdentityPool`'s credentials, then STS GetCallerIdentity signed with them. */
	whoAmI(
		endpoint: string,
		identityPoolId: string,
	): Promise<{
		identityId: string;
		accessKeyId: string;
		arn: string | undefined;
		account: string | undefined;
		userId: string | undefined;
	}>;
	/** GetId, expected to fail: the error as the SDK parsed it (or the browser's refusal). */
	failing(endpoint: string, identityPoolId: string): Promise<ParsedError>;
	/**
	 * Signs `subject` in with idpool's development issuer (`idpool serve --dev-issuer`): an
	 * ID token from `POST <endpoint>/dev-issuer/token` is the login of GetId and
	 * GetCredentialsForIdentity, whose credentials then sign STS GetCallerIdentity.
	 */
	devIssuerSignIn(
		endpoint: string,
		identityPoolId: string,
		subject?: string,
	): Promise<{
		providerName: string;
		identityId: string;
		arn: string | undefined;
	}>;
}

/** The global object of the pages, as the scripts that drive them see it. */
export interface ExamplePages {
	idpoolExample: ExampleApi;
	idpoolSdk: SdkApi;
}
