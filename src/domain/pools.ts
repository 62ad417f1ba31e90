/**
 * @module domain/pools
 * Identity-pool rules that are independent of storage and HTTP: how an input becomes stored
 * settings (unset and empty optional members are left out), the replace semantics of
 * UpdateIdentityPool (docs/behaviour.md#updateidentitypool), tag rules, and the pool's wire form.
 */
import {
	InvalidParameterException,
	LimitExceededException,
	ResourceConflictException,
	ResourceNotFoundException,
} from "../errors/service-errors.ts";
import type { PoolRecord, PoolSettings } from "./records.ts";

/**
 * The members of a pool that a caller configures (CreateIdentityPool, UpdateIdentityPool), as
 * validated against the model: the settings' own shape, before the rules below.
 */
export type PoolSettingsInput = PoolSettings;

/** Limits that apply to a pool's configuration. */
export interface PoolLimits {
	maxTags: number;
	maxUserPoolProviders: number;
}

const OIDC_ARN = /^arn:[\w-]+:iam::\d{12}:oidc-provider\/.+$/;
const SAML_ARN = /^arn:[\w-]+:iam::\d{12}:saml-provider\/.+$/;

function nonEmptyMap(
	m: Record<string, string> | undefined,
): Record<string, string> | undefined {
	return m && Object.keys(m).length > 0 ? { ...m } : undefined;
}

function nonEmptyList<T>(l: T[] | undefined): T[] | undefined {
	return l && l.length > 0 ? [...l] : undefined;
}

/**
 * Turns a Create/Update input into stored settings, checking the rules the model cannot
 * express. Optional members that are absent or empty are not stored (and so not answered).
 * @throws InvalidParameterException for a user-pool provider without a name, a malformed
 *   provider ARN or a provider listed twice; LimitExceededException for too many user pools.
 */
export function settingsFromInput(
	input: PoolSettingsInput,
	limits: PoolLimits,
): PoolSettings {
	const settings: PoolSettings = {
		IdentityPoolName: input.IdentityPoolName,
		AllowUnauthenticatedIdentities: input.AllowUnauthenticatedIdentities,
	};
	if (input.AllowClassicFlow !== undefined)
		settings.AllowClassicFlow = input.AllowClassicFlow;
	const logins = nonEmptyMap(input.SupportedLoginProviders);
	if (logins) settings.SupportedLoginProviders = logins;
	if (input.DeveloperProviderName !== undefined) {
		settings.DeveloperProviderName = input.DeveloperProviderName;
	}
	const oidc = nonEmptyList(input.OpenIdConnectProviderARNs);
	if (oidc) {
		for (const arn of oidc) {
			if (!OIDC_ARN.test(arn)) {
				throw new InvalidParameterException(
					`Invalid OpenIdConnectProviderARN: ${arn}`,
				);
			}
		}
		if (new Set(oidc).size !== oidc.length) {
			throw new InvalidParameterException(
				"Duplicate OpenIdConnectProviderARNs are not allowed.",
			);
		}
		settings.OpenIdConnectProviderARNs = oidc;
	}
	const userPools = nonEmptyList(input.CognitoIdentityProviders);
	if (userPools) {
		if (userPools.length > limits.maxUserPoolProviders) {
			throw new LimitExceededException(
				`A pool can have at most ${limits.maxUserPoolProviders} Cognito identity providers.`,
			);
		}
		const seen = new Set<string>();
		settings.CognitoIdentityProviders = userPools.map((p) => {
			// Observed on AWS (amazon-quicksight-embedding-sample#1): an entry without
			// ProviderName answers exactly this message.
			if (!p.ProviderName || !p.ClientId) {
				throw new InvalidParameterException(
					"Invalid Cognito Identity Provider",
				);
			}
			const pair = `${p.ProviderName}\u0000${p.ClientId}`;
			if (seen.has(pair)) {
				throw new InvalidParameterException(
					`Duplicate Cognito Identity Provider: ${p.ProviderName} with client ${p.ClientId}`,
				);
			}
			seen.add(pair);
			return {
				ProviderName: p.ProviderName,
				ClientId: p.ClientId,
				ServerSideTokenCheck: p.ServerSideTokenCheck ?? false,
			};
		});
	}
	const saml = nonEmptyList(input.SamlProviderARNs);
	if (saml) {
		for (const arn of saml) {
			if (!SAML_ARN.test(arn)) {
				throw new InvalidParameterException(`Invalid SamlProviderARN: ${arn}`);
			}
		}
		settings.SamlProviderARNs = saml;
	}
	return settings;
}

/**
 * Checks a full tag set against the quota and the reserved `aws:` prefix.
 * @throws InvalidParameterException for a reserved key; LimitExceededException over the quota.
 */
export function checkTags(
	tags: Record<string, string>,
	maxTags: number,
): Record<string, string> {
	for (const key of Object.keys(tags)) {
		if (key.toLowerCase().startsWith("aws:")) {
			throw new InvalidParameterException(
				`Tag keys starting with 'aws:' are reserved for AWS use: ${key}`,
			);
		}
	}
	if (Object.keys(tags).length > maxTags) {
		throw new LimitExceededException(
			`A resource can have at most ${maxTags} tags.`,
		);
	}
	return { ...tags };
}

/**
 * UpdateIdentityPool's replace semantics (docs/behaviour.md#updateidentitypool): every member is taken from the
 * input, omitted optional members are cleared, except that an omitted DeveloperProviderName
 * keeps the stored one (a different one is refused: it never changes once set) and omitted
 * IdentityPoolTags keep the stored tags.
 */
export function applyPoolUpdate(
	current: PoolRecord,
	input: PoolSettingsInput & { IdentityPoolTags?: Record<string, string> },
	limits: PoolLimits,
): { settings: PoolSettings; tags: Record<string, string> } {
	const settings = settingsFromInput(input, limits);
	const stored = current.settings.DeveloperProviderName;
	if (stored !== undefined) {
		if (settings.DeveloperProviderName === undefined)
			settings.DeveloperProviderName = stored;
		else if (settings.DeveloperProviderName !== stored) {
			throw new InvalidParameterException(
				`The developer provider name cannot be changed once set: it is '${stored}'.`,
			);
		}
	}
	const tags =
		input.IdentityPoolTags === undefined
			? current.tags
			: checkTags(input.IdentityPoolTags, limits.maxTags);
	return { settings, tags };
}

/** The message AWS answers for a pool that does not exist (observed, docs/behaviour.md#describeidentitypool). */
export function poolNotFound(
	poolId: string,
): InstanceType<typeof ResourceNotFoundException> {
	return new ResourceNotFoundException(`IdentityPool '${poolId}' not found.`);
}

/**
 * A pool cannot be created under the id of a deleted pool whose identities are still being
 * purged (idpool's choice, docs/behaviour.md#deleteidentitypool): only pools with a given id
 * (a configuration file's) can meet it.
 */
export function poolBeingPurged(
	poolId: string,
): InstanceType<typeof ResourceConflictException> {
	return new ResourceConflictException(
		`IdentityPool '${poolId}' was deleted and its identities are still being removed; try again once they are.`,
	);
}
