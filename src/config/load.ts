/**
 * @module config/load
 * Resolves the {@link Config} from defaults, environment and command-line flags (in that
 * order of precedence), validates every value and freezes the result. Invalid input throws a
 * {@link ConfigError} whose one-line message names the flag or variable at fault.
 */
import {
	type Config,
	type RateLimits,
	SETTINGS,
	type SettingSpec,
} from "./schema.ts";

/** A configuration problem, reported to the user as one line. */
export class ConfigError extends Error {
	override readonly name = "ConfigError";
}

const OPERATION_NAME = /^[A-Z][A-Za-z]+$/;

function parseValue(spec: SettingSpec, raw: string, source: string): unknown {
	switch (spec.type) {
		case "string":
			if (raw === "") throw new ConfigError(`${source} must not be empty`);
			return raw;
		case "port": {
			const n = Number(raw);
			if (!/^\d+$/.test(raw) || n > 65535) {
				throw new ConfigError(
					`${source} must be a port number from 0 to 65535, got '${raw}'`,
				);
			}
			return n;
		}
		case "count": {
			const n = Number(raw);
			if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n)) {
				throw new ConfigError(
					`${source} must be a whole number of at least 1, got '${raw}'`,
				);
			}
			return n;
		}
		case "rates": {
			const rates: Record<string, number> = {};
			for (const part of raw
				.split(",")
				.map((p) => p.trim())
				.filter(Boolean)) {
				const [op, value, extra] = part.split("=");
				const n = Number(value);
				if (
					!op ||
					!OPERATION_NAME.test(op) ||
					extra !== undefined ||
					!(n > 0)
				) {
					throw new ConfigError(
						`${source} must be a list of Operation=perSecond pairs, got '${part}'`,
					);
				}
				rates[op] = n;
			}
			return Object.freeze(rates) as RateLimits;
		}
	}
}

/**
 * Resolves the configuration.
 * @param flags flag values by flag name (as parsed from the command line)
 * @param env the environment (usually `process.env`)
 */
export function loadConfig(
	flags: Readonly<Record<string, string | undefined>>,
	env: Readonly<Record<string, string | undefined>>,
): Config {
	const out: Record<string, unknown> = {};
	for (const spec of SETTINGS) {
		const fromFlag = flags[spec.flag];
		const fromEnv = env[spec.env];
		if (fromFlag !== undefined)
			out[spec.key] = parseValue(spec, fromFlag, `--${spec.flag}`);
		else if (fromEnv !== undefined && fromEnv !== "")
			out[spec.key] = parseValue(spec, fromEnv, spec.env);
		else if (spec.default !== undefined)
			out[spec.key] = parseValue(spec, spec.default, spec.key);
		else out[spec.key] = undefined;
	}
	const config = out as unknown as Config;
	if (!/^\d{12}$/.test(config.accountId)) {
		throw new ConfigError(
			`account id must be 12 digits, got '${config.accountId}'`,
		);
	}
	if (config.issuer !== undefined) {
		let url: URL;
		try {
			url = new URL(config.issuer);
		} catch {
			throw new ConfigError(
				`issuer must be an http(s) URL, got '${config.issuer}'`,
			);
		}
		if (url.protocol !== "http:" && url.protocol !== "https:") {
			throw new ConfigError(
				`issuer must be an http(s) URL, got '${config.issuer}'`,
			);
		}
	}
	const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
	if (!levels.includes(config.logLevel)) {
		throw new ConfigError(
			`log level must be one of ${levels.join(", ")}, got '${config.logLevel}'`,
		);
	}
	return Object.freeze(config);
}

/** The configuration with every default and no environment: the base for tests. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
	return Object.freeze({ ...loadConfig({}, {}), ...overrides });
}
