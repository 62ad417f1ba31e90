/**
 * @module server/console
 * The web console (docs/console.md): its built files (`dist/console/`, written by
 * `scripts/build-console.ts` during `npm run build`), read once when the server is made and
 * answered with strict security headers; whether a server serves it (`--console`); and the
 * live view of the last calls, a ring buffer of the dispatcher's call records that the
 * console reads over server-sent events, each caller seeing only the calls of its own
 * account. Free of Fastify: `server/http.ts` installs the routes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Authenticator } from "../auth/authenticator.ts";
import type { SignedRequest } from "../auth/sigv4.ts";
import { isLoopbackHost } from "../config/load.ts";
import type { CallObserver, CallRecord } from "../dispatch/dispatcher.ts";
import { TooManyRequestsException } from "../errors/service-errors.ts";
import type { Clock } from "../lib/clock.ts";
import type { KeyListing, KeyRing } from "../tokens/key-ring.ts";
import type { ConsoleRoutes } from "./http.ts";

/** Where the console lives on the server. */
export const CONSOLE_PATH = "/console";
/** The live view's stream of calls (docs/console.md#live-view). */
export const CONSOLE_REQUESTS_PATH = `${CONSOLE_PATH}/api/requests`;
/** The signing keys and their states (docs/console.md#signing-keys). */
export const CONSOLE_KEYS_PATH = `${CONSOLE_PATH}/api/keys`;
/** How many calls the live view remembers per server. */
export const CONSOLE_REQUESTS_KEPT = 200;

/**
 * Whether a server listening on `host` serves the console: `on` always, `off` never, `auto`
 * (the default) only on a loopback address, where only this machine can reach it.
 */
export function consoleServed(mode: string, host: string): boolean {
	if (mode === "on") return true;
	if (mode === "auto") return isLoopbackHost(host);
	return false;
}

/**
 * The headers of every answer of the console: no script, style or connection but the
 * server's own, no inline code, no framing, no referrer.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
	"content-security-policy":
		"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"x-content-type-options": "nosniff",
	"referrer-policy": "no-referrer",
	"x-frame-options": "DENY",
	"cross-origin-opener-policy": "same-origin",
	"cross-origin-resource-policy": "same-origin",
};

const TYPES: Readonly<Record<string, string>> = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".png": "image/png",
	".svg": "image/svg+xml",
	".ico": "image/x-icon",
};

/** One answer of the console's files. */
export interface ConsoleAnswer {
	statusCode: number;
	headers: Record<string, string>;
	body: Buffer;
}

/**
 * The folder of the built console: `dist/console/` of the package this module belongs to,
 * whether it runs built (`dist/server/console.js`) or from the sources
 * (`src/server/console.ts`).
 */
export function consoleDir(): string {
	const here = dirname(fileURLToPath(import.meta.url));
	return join(here, "..", "..", "dist", "console");
}

/** The console's files, read once; answers the file a path names. */
export class ConsoleAssets {
	readonly #files = new Map<string, Buffer>();
	/** Why there is nothing to serve, when the console is not built. */
	readonly problem: string | undefined;

	constructor(dir = consoleDir()) {
		let names: string[] = [];
		try {
			names = readdirSync(dir).filter((n) => TYPES[extname(n)] !== undefined);
		} catch {}
		for (const name of names) {
			this.#files.set(name, readFileSync(join(dir, name)));
		}
		this.problem = this.#files.has("index.html")
			? undefined
			: "the console is not built in this copy of idpool: run `npm run build` (it writes dist/console/)";
	}

	/** The answer to `GET <path>`, a path under {@link CONSOLE_PATH} without its query. */
	answer(path: string): ConsoleAnswer {
		const rest = path.slice(CONSOLE_PATH.length).replace(/^\//, "");
		const name = rest === "" ? "index.html" : rest;
		if (this.problem !== undefined) {
			return text(503, `idpool: ${this.problem}.\n`);
		}
		const body = /^[A-Za-z0-9._-]+$/.test(name)
			? this.#files.get(name)
			: undefined;
		if (body === undefined) return text(404, "Not found.\n");
		return {
			statusCode: 200,
			headers: {
				...CONSOLE_HEADERS,
				"content-type": TYPES[extname(name)] as string,
				// The page itself is always fetched again; its scripts are named by the build.
				"cache-control": "no-cache",
			},
			body,
		};
	}
}

function text(statusCode: number, body: string): ConsoleAnswer {
	return {
		statusCode,
		headers: {
			...CONSOLE_HEADERS,
			"content-type": "text/plain; charset=utf-8",
			"cache-control": "no-store",
		},
		body: Buffer.from(body),
	};
}

/** A call as the live view shows it: the call record and when it was answered. */
export interface ConsoleCall extends CallRecord {
	/** When the call was answered (ISO 8601). */
	time: string;
}

/** A listener of the live view: handed each call's server-sent event, made once a call. */
type Listener = (event: string) => void;

/** An open live view: its account, the key that opened it, and its stream's two ends. */
interface LiveView {
	accountId: string;
	accessKeyId: string;
	listen: Listener;
	/** Ends the view's stream (the key that opened it was taken away). */
	end: () => void;
}

/**
 * Live views open at once for one account (a person's tabs), and in all: each holds a
 * connection for as long as it is open, and those connections must stay few beside
 * `--max-connections`, so that live views can never lock calls out.
 */
export const LIVE_VIEWS_PER_ACCOUNT = 8;
export const LIVE_VIEWS_IN_ALL = 64;

/**
 * The live views a server holds in all with `maxConnections` (`--max-connections`): an eighth
 * of its connections, at least one and at most {@link LIVE_VIEWS_IN_ALL}.
 */
export function liveViewsInAll(maxConnections: number): number {
	return Math.max(
		1,
		Math.min(LIVE_VIEWS_IN_ALL, Math.floor(maxConnections / 8)),
	);
}

/** How long one stream of the live view lasts; the page then opens the next at once. */
export const LIVE_VIEW_LIFETIME_MS = 10 * 60_000;

/**
 * The last {@link CONSOLE_REQUESTS_KEPT} calls of a server (a call observer), and the
 * listeners of the live view, each of one account.
 */
export class ConsoleRequests {
	readonly #clock: Clock;
	/**
	 * The calls kept, in a ring: each call's record and the time it was answered, written in
	 * place (no copy, no date formatted) since most calls are never shown; `#next` is the slot
	 * the next call takes, `#count` how many slots hold a call.
	 */
	readonly #records: (CallRecord | undefined)[] = new Array(
		CONSOLE_REQUESTS_KEPT,
	);
	readonly #times = new Float64Array(CONSOLE_REQUESTS_KEPT);
	#next = 0;
	#count = 0;
	readonly #listeners = new Set<LiveView>();
	readonly #inAll: number;

	/** @param inAll the live views held in all ({@link liveViewsInAll}) */
	constructor(clock: Clock, inAll = LIVE_VIEWS_IN_ALL) {
		this.#clock = clock;
		this.#inAll = inAll;
	}

	/** The call observer to hand the dispatcher. */
	readonly observe = (record: CallRecord): void => {
		const at = this.#clock.now();
		this.#records[this.#next] = record;
		this.#times[this.#next] = at;
		this.#next = (this.#next + 1) % CONSOLE_REQUESTS_KEPT;
		if (this.#count < CONSOLE_REQUESTS_KEPT) this.#count++;
		if (record.accountId === undefined || this.#listeners.size === 0) return;
		let event: string | undefined;
		for (const listener of this.#listeners) {
			if (listener.accountId === record.accountId) {
				event ??= callEvent(consoleCall(record, at));
				listener.listen(event);
			}
		}
	};

	/** The calls kept of `accountId`, oldest first. */
	recent(accountId: string): ConsoleCall[] {
		const calls: ConsoleCall[] = [];
		const first =
			(this.#next - this.#count + CONSOLE_REQUESTS_KEPT) %
			CONSOLE_REQUESTS_KEPT;
		for (let i = 0; i < this.#count; i++) {
			const slot = (first + i) % CONSOLE_REQUESTS_KEPT;
			const record = this.#records[slot];
			if (record?.accountId === accountId) {
				calls.push(consoleCall(record, this.#times[slot] as number));
			}
		}
		return calls;
	}

	/**
	 * A place for a live view of `accountId`: `follow` hands it the event of every later call
	 * of the account until `stop`. Taken at once, so that a view beyond the limits is refused
	 * before anything is answered.
	 * @throws TooManyRequestsException beyond {@link LIVE_VIEWS_PER_ACCOUNT} views of the
	 *   account or of the server's places in all
	 */
	subscribe(
		accountId: string,
		accessKeyId: string,
	): {
		follow(listen: Listener, end: () => void): void;
		stop(): void;
	} {
		let ofAccount = 0;
		for (const l of this.#listeners) if (l.accountId === accountId) ofAccount++;
		if (ofAccount >= LIVE_VIEWS_PER_ACCOUNT) {
			throw new TooManyRequestsException(
				`Too many live views are open for this account (${LIVE_VIEWS_PER_ACCOUNT}): close one.`,
			);
		}
		if (this.#listeners.size >= this.#inAll) {
			throw new TooManyRequestsException(
				`Too many live views are open on this server (${this.#inAll}): try again later.`,
			);
		}
		const entry: LiveView = {
			accountId,
			accessKeyId,
			listen: () => {},
			end: () => {},
		};
		this.#listeners.add(entry);
		return {
			follow: (listen, end) => {
				entry.listen = listen;
				entry.end = end;
			},
			stop: () => this.#listeners.delete(entry),
		};
	}

	/**
	 * Ends the views opened with an access key `revoked` answers true for (a key taken away
	 * by a reload): their streams end at once, as a call signed with the key would be refused.
	 * Answers how many ended.
	 */
	endViews(revoked: (accessKeyId: string) => boolean): number {
		let ended = 0;
		for (const view of [...this.#listeners]) {
			if (!revoked(view.accessKeyId)) continue;
			this.#listeners.delete(view);
			view.end();
			ended++;
		}
		return ended;
	}
}

/** A kept call as the live view shows it, its time formatted. */
function consoleCall(record: CallRecord, at: number): ConsoleCall {
	return { ...record, time: new Date(at).toISOString() };
}

/** One server-sent event of the live view. */
export function callEvent(call: ConsoleCall): string {
	return `event: call\ndata: ${JSON.stringify(call)}\n\n`;
}

/** The signing keys as the console shows them: public parts and states, nothing private. */
export function consoleKeys(listing: readonly KeyListing[]): object[] {
	const iso = (ms: number | undefined) =>
		ms === undefined ? undefined : new Date(ms).toISOString();
	return listing.map(({ record, status, encryptedWith }) => ({
		kid: record.kid,
		alg: record.alg,
		status,
		createdAt: iso(record.createdAt),
		activatesAt: iso(record.activatesAt),
		retiredAt: iso(record.retiredAt),
		encryptedAtRest: encryptedWith !== undefined,
	}));
}

/**
 * The console's routes for the HTTP app and the observer that feeds its live view: the
 * stream's request must be signed (SigV4 for `cognito-identity`) with one of the server's
 * keys, and carries only the calls of that key's account.
 */
export function consoleRoutes(parts: {
	assets: ConsoleAssets;
	requests: ConsoleRequests;
	authenticator: Authenticator;
	keys: KeyRing;
	/** How long a live view's stream lasts (default {@link LIVE_VIEW_LIFETIME_MS}). */
	lifetimeMs?: number;
}): {
	routes: ConsoleRoutes;
	observe: CallObserver;
	/** Ends the live views of access keys taken away ({@link ConsoleRequests.endViews}). */
	endViews: (revoked: (accessKeyId: string) => boolean) => number;
	problem: string | undefined;
} {
	const { assets, requests, authenticator, keys } = parts;
	const callerOf = async (request: SignedRequest) => {
		const caller = await authenticator.authenticate(
			request,
			"cognito-identity",
			"sigv4",
		);
		return {
			accountId: caller?.accountId as string,
			accessKeyId: caller?.accessKeyId as string,
		};
	};
	return {
		observe: requests.observe,
		endViews: (revoked) => requests.endViews(revoked),
		problem: assets.problem,
		routes: {
			path: CONSOLE_PATH,
			file: (path) => assets.answer(path),
			streamPath: CONSOLE_REQUESTS_PATH,
			streamLifetimeMs: parts.lifetimeMs ?? LIVE_VIEW_LIFETIME_MS,
			keysPath: CONSOLE_KEYS_PATH,
			headers: CONSOLE_HEADERS,
			async keys(request) {
				await callerOf(request);
				return { keys: consoleKeys(await keys.list()) };
			},
			async stream(request) {
				const { accountId, accessKeyId } = await callerOf(request);
				const view = requests.subscribe(accountId, accessKeyId);
				return {
					backlog: requests.recent(accountId).map(callEvent),
					follow: (send, end) => {
						view.follow(send, end);
						return view.stop;
					},
					stop: view.stop,
				};
			},
		},
	};
}
