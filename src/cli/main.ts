/**
 * @module cli/main
 * The `idpool` command line: parses arguments against the settings table and runs a
 * subcommand. Failures a user can fix (bad flags, bad values, unreadable files, a port in
 * use) surface as a {@link UsageError} or ConfigError with a one-line message; `bin/` prints
 * it and exits non-zero, without a stack trace.
 */
import { readFileSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { parseArgs } from "node:util";
import {
	type AccountCredential,
	CredentialsFileError,
	defaultAccount,
	parseCredentialsFile,
	singleKey,
} from "../auth/credentials.ts";
import { ConfigError, isLoopbackHost, loadConfig } from "../config/load.ts";
import {
	type Config,
	isPostgresUrl,
	printableDb,
	SETTINGS,
} from "../config/schema.ts";
import { DEFAULT_TOKEN_ALGORITHM } from "../domain/records.ts";
import { systemClock } from "../lib/clock.ts";
import { lowerThreadPoolPriority } from "../lib/thread-pool-priority.ts";
import { VERSION } from "../lib/version.ts";
import {
	applyDeclaredPools,
	applyOptions,
	describeChange,
	PoolApplyError,
	type PoolChange,
} from "../server/apply-pools.ts";
import type { IdpoolServer } from "../server/create-server.ts";
import { exportPools } from "../server/export-pools.ts";
import { requireExistingDatabase } from "./database-file.ts";
import { DevTokenUsageError, devTokenCommand } from "./dev-token.ts";
import { HEALTHCHECK_PATH, healthcheckCommand } from "./healthcheck.ts";
import type { Output } from "./output.ts";

/**
 * The server, loaded by `serve` only. The commands that open a store (migrate, keys, apply,
 * vacuum) load the store module (server/open-store.ts) and what they use of the keys, not
 * Fastify or the operations; the others (help, dev-token, healthcheck, which a container runs
 * every few seconds) load neither.
 */
const serverModule = () => import("../server/create-server.ts");

/** A mistake in how the command was called. */
class UsageError extends Error {
	override readonly name = "UsageError";
}

/**
 * Whether a failure is one the user can fix from its one-line message (a flag, a setting, a
 * file), rather than a fault of the program.
 */
export function isUserError(err: unknown): err is Error {
	return (
		err instanceof UsageError ||
		err instanceof DevTokenUsageError ||
		err instanceof ConfigError ||
		err instanceof CredentialsFileError ||
		// By name: its class is in the server's modules, which this one loads only on demand.
		(err instanceof Error &&
			(err.name === "KeyEncryptionError" ||
				err.name === "SchemaTooNewError" ||
				err.name === "SchemaOutdatedError" ||
				err.name === "TargetNotEmptyError"))
	);
}

const USAGE = `Usage: idpool <command> [options]

Commands:
  serve        Run the server (Cognito Identity API on POST /).
  migrate      Apply pending schema migrations to the database (--db) and exit. serve
               also applies them at start; several servers starting together on one
               PostgreSQL database apply each migration once.
  vacuum       Rewrite the SQLite database (--db) without its free space, and switch on
               incremental auto-vacuum, with which servers give the space of purged
               pools back by themselves; run it while no server uses the file.
               PostgreSQL needs no such step (its autovacuum).
  backup FILE  Write a consistent copy of the SQLite database (--db) to the new file FILE
               (mode 0600) while servers use it; PostgreSQL: use pg_dump.
  keys list    List the token-signing keys in the database (--db).
  keys rotate  Add a new signing key; servers publish it at once and sign with it after
               twice the key reload interval.
  keys rewrap  Re-encrypt every stored private key, then the secret keys of the issued
               credentials not yet expired, with the first key-encryption key given
               (--key-encryption-key-file), reading them with any key given.
  apply FILE   Make the identity pools of the database (--db) match the pools the
               configuration file FILE declares (creates, updates, never deletes); prints
               one line a pool. A running serve applies its own file on SIGHUP.
  copy TARGET  Copy everything the database (--db) holds (pools, identities, signing
               keys, issued credentials) into the new database TARGET, a SQLite path or a
               PostgreSQL URL: to move to the other engine. Stop the servers first.
  export       Print the identity pools of the database (--db) as a configuration file
               declares them, for apply or --config: idpool export > pools.json.
  dev-token    Print an ID token of the development issuer of a running server (started
               with --dev-issuer): dev-token --sub SUBJECT [--aud AUDIENCE]
               [--claim NAME=VALUE | --claim NAME:=JSON ...] [--expires-in SECONDS]
               [--endpoint URL (default http://127.0.0.1:$IDPOOL_PORT, else :8700)].
  healthcheck  Ask a running server's ${HEALTHCHECK_PATH} (at --host and --port, or at
               --endpoint URL): exit 0 if it answers 200, 1 otherwise, with the reason.
  version      Print idpool's version (also --version).
  help         Show this text.

Options of serve and keys (each also as an environment variable):
${SETTINGS.map((s) => `  ${(s.flag ? `--${s.flag}` : "(variable only)").padEnd(28)} ${s.env}${s.default ? ` (default: ${s.default || '""'})` : ""}`).join("\n")}
`;

/** `args` as settings flags, and the `extra` flags a command takes besides them. */
function parseFlags(
	args: string[],
	extra: readonly string[] = [],
): Record<string, string | undefined> {
	const options = Object.fromEntries([
		...SETTINGS.flatMap((s) =>
			s.flag === undefined
				? []
				: [
						[
							s.flag,
							{
								type:
									s.type === "boolean"
										? ("boolean" as const)
										: ("string" as const),
							},
						] as const,
					],
		),
		...extra.map((flag) => [flag, { type: "string" as const }] as const),
	]);
	try {
		const { values, positionals } = parseArgs({
			args,
			options,
			strict: true,
			allowPositionals: true,
		});
		if (positionals.length > 0)
			throw new UsageError(`unexpected argument '${positionals[0]}'`);
		// A boolean flag given is `true`, read by the settings table as the text "true".
		return Object.fromEntries(
			Object.entries(values).map(([name, value]) => [
				name,
				value === true ? "true" : (value as string | undefined),
			]),
		);
	} catch (err) {
		if (err instanceof UsageError) throw err;
		// node's messages are one line already, e.g. "Unknown option '--nope'".
		throw new UsageError(
			(err as Error).message.split("\n")[0] ?? "invalid arguments",
		);
	}
}

/**
 * The warning when `config` takes the built-in development key (test/test) on an address
 * other machines can reach; `undefined` otherwise.
 */
function exposedDevelopmentKey(config: Config): string | undefined {
	const defaults =
		config.credentialsFile === undefined &&
		config.accessKeyId === "test" &&
		config.secretAccessKey === "test";
	return defaults && !isLoopbackHost(config.host)
		? `the built-in development credentials (test/test) are in use on ${config.host}, which other machines can reach. Set IDPOOL_ACCESS_KEY_ID and IDPOOL_SECRET_ACCESS_KEY, or --credentials.`
		: undefined;
}

/** The access keys `config` gives: its credentials file's, else its one key. */
function configuredCredentials(config: Config): AccountCredential[] {
	return readCredentials(config) ?? [singleKey(config)];
}

/** The accounts of the credentials file `config` names, if any. */
export function readCredentials(
	config: Config,
): AccountCredential[] | undefined {
	if (config.credentialsFile === undefined) return undefined;
	let text: string;
	try {
		text = readFileSync(config.credentialsFile, "utf8");
	} catch (err) {
		throw new ConfigError(
			`cannot read credentials file ${config.credentialsFile}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
		);
	}
	return parseCredentialsFile(text, config.credentialsFile);
}

/** A warning when the key-encryption key file may be read or written by other users. */
function keyFileWarnings(config: Config): string[] {
	const file = config.keyEncryptionKeyFile;
	if (file === undefined) return [];
	const mode = (statSync(file, { throwIfNoEntry: false })?.mode ?? 0) & 0o777;
	return mode & 0o066
		? [
				`other users of this machine can read or write the key-encryption key file ${file} (${mode.toString(8).padStart(4, "0")}): chmod 600 it`,
			]
		: [];
}

/** Starts the server and answers it once it listens; the caller owns shutdown. */
async function serve(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<IdpoolServer> {
	const flags = parseFlags(args);
	const loaded = loadConfig(flags, env);
	// Pretty for a person at a terminal, JSON for a collector (docs/operating.md#logs).
	const config: Config = Object.freeze({
		...loaded,
		logFormat:
			loaded.logFormat ?? (process.stdout.isTTY === true ? "pretty" : "json"),
	});
	if (
		config.acceptAnyCredentials &&
		!config.acceptAnyCredentialsBeyondLoopback &&
		!isLoopbackHost(config.host)
	) {
		throw new ConfigError(
			`--accept-any-credentials on ${config.host}, which other machines can reach, lets anyone manage the pools: confirm it with --accept-any-credentials-beyond-loopback (IDPOOL_ACCEPT_ANY_CREDENTIALS_BEYOND_LOOPBACK=true), or listen on 127.0.0.1`,
		);
	}
	const credentials = readCredentials(config);
	const { createServer } = await serverModule();
	const server = await createServer(config, credentials ? { credentials } : {});
	let url: string;
	try {
		url = await server.listen();
	} catch (err) {
		await server.close();
		const code = (err as NodeJS.ErrnoException).code;
		if (
			code === "EADDRINUSE" ||
			code === "EACCES" ||
			code === "EADDRNOTAVAIL"
		) {
			// The main port, or the metrics' own (`--metrics-port`), listened to after it.
			const [port, flag] =
				server.url === undefined
					? [config.port, "--port (0 picks a free one)"]
					: [config.metricsPort, "--metrics-port"];
			throw new ConfigError(
				code === "EADDRINUSE"
					? `cannot listen on ${config.host}:${port}: EADDRINUSE, the port is in use: choose another with ${flag}`
					: `cannot listen on ${config.host}:${port}: ${code}`,
			);
		}
		throw err;
	}
	// Before the banner: it is written with no await between its lines, so that no log line
	// (written when the event loop turns) can land inside it.
	const pool = await lowerThreadPoolPriority(config.threadPoolNice, env);
	output.out(`idpool listening on ${url}`);
	output.out(`  version:   ${VERSION} (Node.js ${process.version})`);
	const storeNote = server.store.describe?.();
	output.out(
		`  database:  ${config.db === ":memory:" ? ":memory: (nothing is kept)" : printableDb(config.db)}${storeNote ? ` (${storeNote})` : ""}`,
	);
	output.out(
		`  access key: ${credentials ? credentials.map((c) => c.accessKeyId).join(", ") : config.accessKeyId}`,
	);
	if (pool.nice !== undefined) {
		output.out(
			`  signing:   ${pool.threads} thread-pool threads at nice ${pool.nice}`,
		);
	}
	if (config.db !== ":memory:") {
		const kek = server.keys.encryptionKeyId;
		output.out(
			kek === undefined
				? "  keys:      not encrypted at rest (set IDPOOL_KEY_ENCRYPTION_KEY_FILE, docs/deployment.md)"
				: `  keys:      encrypted at rest with key-encryption key ${kek}`,
		);
	}
	const providerNames = Object.keys(config.providers);
	if (providerNames.length > 0) {
		output.out(`  providers: ${providerNames.join(", ")}`);
	}
	if (server.seeded.length > 0) {
		output.out(`  pools:     ${poolsLine(server.seeded)}`);
	}
	if (server.acceptAnyKeyAs !== undefined) {
		output.out(
			`  any key:   signed calls with any access key are accepted, unchecked, as account ${server.acceptAnyKeyAs} (--accept-any-credentials)`,
		);
	}
	if (server.keys.algorithm !== DEFAULT_TOKEN_ALGORITHM) {
		output.out(
			`  tokens:    signed ${server.keys.algorithm} (--token-algorithm, docs/keys.md#es256)`,
		);
	}
	output.out(`  issuer:    ${server.issuer}`);
	if (config.metrics) {
		output.out(`  metrics:   ${server.metricsUrl ?? url}/metrics`);
	}
	if (server.consoleUrl !== undefined) {
		output.out(`  console:   ${server.consoleUrl}`);
	}
	const dev = server.devIssuer;
	if (dev) {
		output.out(
			`  dev issuer: ${dev.url} (provider name ${dev.providerName}, default audience ${dev.audience})`,
		);
	}
	const rates = Object.entries(config.rateLimits);
	if (rates.length > 0) {
		output.out(
			`  quotas:    ${rates.map(([op, n]) => `${op} ${n}/s`).join(", ")} (per account, per process)`,
		);
	}
	if (pool.problem) output.err(`note: ${pool.problem}`);
	for (const warning of [
		...(server.store.warnings?.() ?? []),
		...keyFileWarnings(config),
	]) {
		output.err(`WARNING: ${warning}`);
	}
	const exposed = exposedDevelopmentKey(config);
	if (exposed) output.err(`WARNING: ${exposed}`);
	if (dev) output.err(`WARNING: ${devIssuerWarning(dev, config.host)}`);
	if (server.acceptAnyKeyAs !== undefined) {
		output.err(
			isLoopbackHost(config.host)
				? "WARNING: any access key is accepted without a signature check (--accept-any-credentials): anyone who can connect from this machine can manage the pools. For development only."
				: `WARNING: any access key is accepted without a signature check (--accept-any-credentials) on ${config.host}: anyone who can reach this server can manage its pools. Never use it for a server that others use.`,
		);
	}
	if (dev && !dev.verifiable) {
		output.err(
			`WARNING: pools cannot accept the development issuer's tokens: its keys would be fetched from ${dev.url} over plain http, which idpool allows on loopback only; set --issuer to an https URL that reaches this server.`,
		);
	}
	if (
		config.issuer === undefined &&
		(config.host === "0.0.0.0" || config.host === "::")
	) {
		output.err(
			`WARNING: listening on all interfaces with the default issuer ${server.issuer}; set --issuer to the URL clients use to reach this server.`,
		);
	}
	return server;
}

/** The declared pools, short: `<id> <name> (<outcome>)`, separated by commas. */
function poolsLine(changes: readonly PoolChange[]): string {
	return changes.map((c) => `${c.poolId} ${c.name} (${c.outcome})`).join(", ");
}

/**
 * What SIGHUP does: reads the configuration again (the same flags, environment and file) and
 * the credentials file it names, and hands the access keys, providers and pools to the
 * server; a configuration that cannot be used is reported in one line and changes nothing.
 * Reloads run one at a time, in the order the signals came.
 */
function reloader(
	server: IdpoolServer,
	flags: Readonly<Record<string, string | undefined>>,
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): { reload(): void; settled(): Promise<void> } {
	let running: Promise<void> = Promise.resolve();
	const reload = async () => {
		try {
			const config = loadConfig(flags, env);
			const credentials = configuredCredentials(config);
			const anyKeyAccount = server.acceptAnyKeyAs;
			const changes = await server.reload(config, credentials);
			const changed = changes.filter((c) => c.outcome !== "unchanged");
			const keys = credentials.length;
			output.out(
				`idpool: SIGHUP: configuration reloaded (${keys} access key${keys === 1 ? "" : "s"}, ${Object.keys(config.providers).length} providers, ${changes.length} pools, ${changed.length} changed)`,
			);
			for (const change of changed) output.out(`  ${describeChange(change)}`);
			if (server.acceptAnyKeyAs !== anyKeyAccount) {
				output.out(
					`  any key:   now accepted as account ${server.acceptAnyKeyAs} (the first access key's)`,
				);
			}
			const exposed = exposedDevelopmentKey(config);
			if (exposed) output.err(`WARNING: ${exposed}`);
		} catch (err) {
			const message = isUserError(err)
				? err.message
				: `${(err as Error).message} (nothing more was applied)`;
			server.app.log.error(
				`SIGHUP: the configuration was not reloaded: ${message}`,
			);
			output.err(
				`idpool: SIGHUP: the configuration was not reloaded: ${message}`,
			);
		}
	};
	return {
		reload() {
			running = running.then(reload);
		},
		settled: () => running,
	};
}

/** The banner's warning about the development issuer, louder when others can reach it. */
function devIssuerWarning(
	dev: { url: string; providerName: string },
	host: string,
): string {
	return isLoopbackHost(host)
		? `the development issuer is on (--dev-issuer): anyone who can connect to this server, from this machine, can mint ID tokens that pools listing ${dev.providerName} accept. For development only.`
		: `the development issuer is on (--dev-issuer) and the server listens on ${host}: anyone who can reach it over the network can mint ID tokens that pools listing ${dev.providerName} accept. Never turn it on for a server that others use.`;
}

/**
 * `idpool apply FILE [flags]`: the configuration file FILE (as `--config FILE`, with the usual
 * environment and flags for the database and accounts) applied to the database directly,
 * running server or not (docs/configuration-as-code.md#idpool-apply).
 */
async function applyCommand(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	const [file, ...rest] = args;
	if (file === undefined || file.startsWith("-")) {
		throw new UsageError("usage: idpool apply FILE [--db PATH] [options]");
	}
	const flags = parseFlags(rest);
	if (flags.config !== undefined) {
		throw new UsageError("idpool apply takes its file as FILE, not --config");
	}
	const config = loadConfig({ ...flags, config: file }, env);
	const credentials = configuredCredentials(config);
	const { openConfiguredStore } = await import("../server/open-store.ts");
	const store = await openConfiguredStore(config);
	let changes: PoolChange[];
	try {
		await store.migrate();
		changes = await applyDeclaredPools(
			store,
			config.pools,
			applyOptions(config, credentials, systemClock),
		);
	} catch (err) {
		if (err instanceof PoolApplyError) {
			throw new ConfigError(`config file ${file}: ${err.message}`);
		}
		throw err;
	} finally {
		await store.close();
	}
	for (const change of changes) output.out(describeChange(change));
	if (changes.length === 0) output.out(`idpool: ${file} declares no pools`);
	return 0;
}

/**
 * `idpool export`: prints the pools of the database as a configuration file declares them
 * (docs/configuration-as-code.md#idpool-export), for `idpool apply` or `--config`.
 */
async function exportCommand(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	const config = loadConfig(parseFlags(args), env);
	const credentials = configuredCredentials(config);
	requireExistingDatabase(
		config.db,
		"`idpool serve` or `idpool apply` creates one",
	);
	const { openConfiguredStore } = await import("../server/open-store.ts");
	const store = await openConfiguredStore(config);
	try {
		await store.migrate({ readOnly: true });
		const pools = await exportPools(store, defaultAccount(credentials, config));
		output.out(JSON.stringify({ pools }, null, 2));
		return 0;
	} finally {
		await store.close();
	}
}

/** `idpool copy`'s line: the rows copied, by what they are. */
function copiedSummary(copied: Record<string, number>): string {
	const count = (table: string, one: string, many: string) => {
		const n = copied[table] ?? 0;
		return `${n} ${n === 1 ? one : many}`;
	};
	return [
		count("identity_pools", "pool", "pools"),
		count("identities", "identity", "identities"),
		count("identity_logins", "login", "logins"),
		count("principal_tag_maps", "principal tag map", "principal tag maps"),
		count("signing_keys", "signing key", "signing keys"),
		count("issued_credentials", "issued credential", "issued credentials"),
	].join(", ");
}

/** An error of `copy`'s TARGET, said to be of it (not of `--db`). */
function targetError(err: unknown): unknown {
	if (!(err instanceof Error) || err.message.startsWith("TARGET: ")) return err;
	const message = `TARGET: ${err.message.replace(/^--db: /, "")}`;
	return isUserError(err) ? new ConfigError(message) : new Error(message);
}

/**
 * Makes `copy`'s target ready: a new database gets the schema; one that holds an idpool
 * database already is refused before anything is written to it (not even a migration), and
 * one at this idpool's schema is left to `load`, which refuses it if it holds any row.
 */
async function readyTarget(into: {
	migrate(options?: { readOnly?: boolean }): Promise<void>;
}): Promise<void> {
	try {
		await into.migrate({ readOnly: true });
	} catch (err) {
		const outdated = err as { name?: string; empty?: boolean };
		if (outdated.name !== "SchemaOutdatedError") throw err;
		if (!outdated.empty) {
			throw new ConfigError(
				"the database to copy into holds an idpool database of an older version: copy into a new database",
			);
		}
		await into.migrate();
	}
}

/**
 * `idpool copy TARGET`: copies everything the database (--db) holds into the new database
 * TARGET, of either engine (docs/deployment.md#moving-to-another-database).
 */
async function copyCommand(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	const [target, ...rest] = args;
	if (target === undefined || target.startsWith("-")) {
		throw new UsageError("usage: idpool copy TARGET [--db SOURCE]");
	}
	const config = loadConfig(parseFlags(rest), env);
	if (target === config.db) {
		throw new UsageError("idpool copy: TARGET is the database --db names");
	}
	if (target === ":memory:") {
		throw new UsageError(
			"idpool copy: a copy into :memory: would be gone at once",
		);
	}
	requireExistingDatabase(config.db);
	const { openConfiguredStore } = await import("../server/open-store.ts");
	const source = await openConfiguredStore(config);
	try {
		await source.migrate({ readOnly: true });
		const into = await openConfiguredStore({ ...config, db: target }).catch(
			(err: unknown) => {
				throw targetError(err);
			},
		);
		try {
			await readyTarget(into).catch((err: unknown) => {
				throw targetError(err);
			});
			const copied = await into.load((write) => source.dump(write));
			output.out(
				`idpool: copied ${printableDb(config.db)} to ${printableDb(target)}: ${copiedSummary(copied)}`,
			);
			return 0;
		} finally {
			await into.close();
		}
	} finally {
		await source.close();
	}
}

/** Sizes in MiB, for `vacuum`'s line. */
function mebibytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * `idpool vacuum`: rewrites a SQLite database without its free space, with incremental
 * auto-vacuum on from then on (docs/operating.md#maintenance); on PostgreSQL, says why there
 * is nothing to do.
 */
async function vacuumCommand(config: Config, output: Output): Promise<number> {
	requireExistingDatabase(config.db);
	const { openConfiguredStore } = await import("../server/open-store.ts");
	const store = await openConfiguredStore(config);
	try {
		await store.migrate();
		if (!store.vacuum) {
			output.out(
				`idpool: the ${store.engine} database reclaims the space of deleted rows by itself (autovacuum): nothing to do (docs/operating.md#maintenance)`,
			);
			return 0;
		}
		const { beforeBytes, afterBytes } = await store.vacuum();
		output.out(
			`idpool: vacuumed ${config.db}: ${mebibytes(beforeBytes)} before, ${mebibytes(afterBytes)} after; servers give free space back by themselves from now on`,
		);
		return 0;
	} finally {
		await store.close();
	}
}

/**
 * `idpool backup FILE`: a consistent copy of a SQLite database, as of one moment, while servers
 * use it (docs/deployment.md, "Backups"); PostgreSQL's backups are `pg_dump`'s.
 */
async function backupCommand(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	const [destination, ...rest] = args;
	if (destination === undefined || destination.startsWith("-")) {
		throw new UsageError("usage: idpool backup FILE [--db PATH]");
	}
	const config = loadConfig(parseFlags(rest), env);
	if (isPostgresUrl(config.db)) {
		throw new ConfigError(
			"--db: idpool backup copies a SQLite database; back up PostgreSQL with pg_dump (docs/deployment.md)",
		);
	}
	requireExistingDatabase(config.db);
	if (statSync(destination, { throwIfNoEntry: false })) {
		throw new UsageError(
			`${destination} exists: idpool backup writes a new file, never over one`,
		);
	}
	const { openConfiguredStore } = await import("../server/open-store.ts");
	const store = await openConfiguredStore(config);
	try {
		if (!store.backup) throw new Error(`no backup for ${store.engine}`);
		let bytes: number;
		try {
			bytes = await store.backup(destination);
		} catch (err) {
			const { code } = err as { code?: unknown };
			throw new ConfigError(
				`cannot write the backup ${destination}: ${typeof code === "string" ? code : (err as Error).message}`,
			);
		}
		output.out(
			`idpool: backed up ${config.db} to ${destination} (${mebibytes(bytes)}, readable by its owner only)`,
		);
		return 0;
	} finally {
		await store.close();
	}
}

type StopSignal = "SIGTERM" | "SIGINT";

/**
 * SIGTERM and SIGINT, taken from the process: the first and the second received; and SIGHUP,
 * handed to the function given to `onHangup` (one received before, while the server starts,
 * is handed to it then, rather than ending the process as SIGHUP does by default).
 */
function watchSignals() {
	let first: (name: StopSignal) => void = () => {};
	let second: (name: StopSignal) => void = () => {};
	let received = 0;
	const onSignal = (name: StopSignal) => {
		received++;
		if (received === 1) first(name);
		else second(name);
	};
	let hangup: (() => void) | undefined;
	let hangupPending = false;
	const onHangupSignal = () => {
		if (hangup) hangup();
		else hangupPending = true;
	};
	process.on("SIGTERM", onSignal);
	process.on("SIGINT", onSignal);
	process.on("SIGHUP", onHangupSignal);
	return {
		onHangup(fn: () => void) {
			hangup = fn;
			if (hangupPending) {
				hangupPending = false;
				fn();
			}
		},
		first: new Promise<StopSignal>((resolve) => {
			first = resolve;
		}),
		second: new Promise<StopSignal>((resolve) => {
			second = resolve;
		}),
		dispose() {
			process.off("SIGTERM", onSignal);
			process.off("SIGINT", onSignal);
			process.off("SIGHUP", onHangupSignal);
		},
	};
}

/**
 * Runs the server until `signal`, then stops it (docs/deployment.md#stopping); answers the
 * exit code.
 */
async function serveUntilSignal(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
	signals: Pick<ReturnType<typeof watchSignals>, "first" | "onHangup">,
): Promise<number> {
	const server = await serve(args, env, output);
	const reloads = reloader(server, parseFlags(args), env, output);
	let stopping = false;
	signals.onHangup(() => {
		if (!stopping) reloads.reload();
	});
	const timeout = server.config.shutdownTimeoutSeconds;
	const received = await signals.first;
	stopping = true;
	// A reload under way finishes before the database closes.
	await reloads.settled();
	output.out(
		`idpool: ${received} received, shutting down (requests in flight get ${timeout} s)`,
	);
	try {
		const { closedConnections } = await server.close();
		if (closedConnections > 0) {
			output.out(
				`idpool: closed ${closedConnections} connection${closedConnections === 1 ? "" : "s"} still open after ${timeout} s`,
			);
		}
	} catch (err) {
		output.err(`idpool: error while closing: ${(err as Error).message}`);
	}
	return 0;
}

/**
 * Runs the command line. Answers the exit code; `serve` answers only once the server has
 * stopped (on SIGTERM or SIGINT), or at once on a second signal (128 + its number), while
 * the first shutdown may still be under way: the caller exits the process then.
 */
export async function main(
	argv: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	const [command, ...rest] = argv;
	switch (command) {
		case "serve": {
			// Signals are taken before anything starts: a SIGTERM that arrives while the server is
			// still starting (or right after its banner) must stop it cleanly, not kill it.
			const signals = watchSignals();
			try {
				const stopped = serveUntilSignal(rest, env, output, signals);
				// A second signal does not wait for the first shutdown: `bin/` exits with its code.
				const forced = signals.second.then((name) => {
					output.err(
						`idpool: ${name} received during the shutdown: exiting at once`,
					);
					return 128 + (osConstants.signals[name] ?? 0);
				});
				stopped.catch(() => {});
				return await Promise.race([stopped, forced]);
			} finally {
				signals.dispose();
			}
		}
		case "migrate": {
			const config = loadConfig(parseFlags(rest), env);
			const { openConfiguredStore } = await import("../server/open-store.ts");
			const store = await openConfiguredStore(config);
			try {
				await store.migrate();
			} finally {
				await store.close();
			}
			output.out(`idpool: the ${store.engine} database is up to date`);
			return 0;
		}
		case "vacuum":
			return vacuumCommand(loadConfig(parseFlags(rest), env), output);
		case "keys": {
			const [action, ...flags] = rest;
			if (action !== "list" && action !== "rotate" && action !== "rewrap") {
				throw new UsageError(
					"usage: idpool keys list|rotate|rewrap [--db PATH]",
				);
			}
			const { keysCommand } = await import("./keys.ts");
			await keysCommand(action, loadConfig(parseFlags(flags), env), output);
			return 0;
		}
		case "apply":
			return applyCommand(rest, env, output);
		case "backup":
			return backupCommand(rest, env, output);
		case "export":
			return exportCommand(rest, env, output);
		case "copy":
			return copyCommand(rest, env, output);
		case "dev-token":
			return devTokenCommand(rest, env, output);
		case "healthcheck": {
			let flags: Record<string, string | undefined>;
			try {
				flags = parseFlags(rest, ["endpoint"]);
			} catch (err) {
				// Not 2, a usage error's code elsewhere: Docker reserves it in health checks.
				output.err(`idpool healthcheck: ${(err as Error).message}`);
				return 1;
			}
			return healthcheckCommand(flags, env, output);
		}
		case "version":
		case "--version":
			output.out(`idpool ${VERSION}`);
			return 0;
		case "help":
		case "--help":
		case "-h":
			output.out(USAGE);
			return 0;
		case undefined:
			output.err(USAGE);
			return 2;
		default:
			throw new UsageError(`unknown command '${command}' (try 'idpool help')`);
	}
}
