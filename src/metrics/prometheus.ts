/**
 * @module metrics/prometheus
 * The server's metrics in Prometheus's text format, through prom-client: the one module that
 * imports it (test/architecture/layers.test.ts). Each server has a registry of its own (no
 * global default registry: several servers can run in one process), holding idpool's
 * metrics (`idpool_` prefix) and Node's default process metrics under their standard names
 * (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`, ...), as every Node exporter
 * names them. The requests are counted by a call observer of the dispatcher; everything else
 * comes through the {@link Metrics} port. Labels take values from small fixed sets only (the
 * actions, the error types, provider kinds): never an id (docs/operating.md#metrics).
 */
import {
	Counter,
	collectDefaultMetrics,
	Gauge,
	Histogram,
	Registry,
} from "prom-client";
import type { CallObserver, CallRecord } from "../dispatch/dispatcher.ts";
import { HTTP_REFUSALS, type Metrics } from "../lib/metrics.ts";
import { VERSION } from "../lib/version.ts";

/** A server's metrics: the port, the dispatcher's observer, and the exposition. */
export interface PrometheusMetrics extends Metrics {
	/** Counts every call by action and outcome, and times it. */
	readonly observer: CallObserver;
	/** The content type of {@link exposition}. */
	readonly contentType: string;
	/** Every metric, in Prometheus's text exposition format. */
	exposition(): Promise<string>;
}

/** The actions a server answers, by service, so that their series exist from the start. */
export interface KnownActions {
	service: string;
	operations: readonly string[];
}

/** The `action` of a request whose operation the registry does not know (or that named none). */
export const UNKNOWN_ACTION = "unknown";
/** The `outcome` of a call answered without an error. */
export const SUCCESS = "success";

/** Request and token durations: from a millisecond to ten seconds. */
const LATENCY_BUCKETS = [
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** Store transactions and signatures: from 100 µs to a few seconds. */
const FAST_BUCKETS = [
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
	1, 5,
];
/** Provider fetches: from 10 ms to the longest `--provider-timeout-seconds` a fetch takes. */
const FETCH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Identity changes per group commit. */
const GROUP_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Builds the metrics of one server. */
export function createPrometheusMetrics(
	actions: readonly KnownActions[],
): PrometheusMetrics {
	const registry = new Registry();
	const registers = [registry];
	// Node's metrics start with the first scrape: their observers (garbage collections, the
	// event loop's delay) stay registered for the life of the process, so a server nobody
	// scrapes (most embedded in tests) should not leave them behind.
	let defaults = false;

	const requests = new Counter({
		name: "idpool_requests_total",
		help: "Calls answered, by service, action and outcome (success, or the error type answered).",
		labelNames: ["service", "action", "outcome"] as const,
		registers,
	});
	const requestSeconds = new Histogram({
		name: "idpool_request_duration_seconds",
		help: "Time from the dispatcher receiving a call to its answer being encoded, by service and action.",
		labelNames: ["service", "action"] as const,
		buckets: LATENCY_BUCKETS,
		registers,
	});
	const identities = new Counter({
		name: "idpool_identities_created_total",
		help: "Identities created and committed, by kind (guest: unauthenticated; authenticated: with a login).",
		labelNames: ["kind"] as const,
		registers,
	});
	const purged = new Counter({
		name: "idpool_identities_purged_total",
		help: "Identities of deleted pools removed by this server's purger (with their logins).",
		registers,
	});
	const awaitingPurge = new Gauge({
		name: "idpool_pools_awaiting_purge",
		help: "Deleted pools whose identities are not all removed yet, as this server's purger last saw them.",
		registers,
	});
	const tokens = new Counter({
		name: "idpool_tokens_issued_total",
		help: "OpenID tokens signed with the server's keys, by algorithm.",
		labelNames: ["alg"] as const,
		registers,
	});
	const signing = new Histogram({
		name: "idpool_token_signing_seconds",
		help: "Time to sign one token (the signature on the thread pool, waiting included), by algorithm.",
		labelNames: ["alg"] as const,
		buckets: FAST_BUCKETS,
		registers,
	});
	const transactions = new Histogram({
		name: "idpool_store_transaction_seconds",
		help: "Time of store methods, each one transaction (an identity change includes its wait for the group commit), by method.",
		labelNames: ["method"] as const,
		buckets: FAST_BUCKETS,
		registers,
	});
	const retries = new Counter({
		name: "idpool_store_transaction_retries_total",
		help: "Store transactions run again from the start (PostgreSQL), by reason.",
		labelNames: ["reason"] as const,
		registers,
	});
	const groups = new Histogram({
		name: "idpool_store_group_commit_size",
		help: "Identity changes committed together in one SQLite transaction (group commit).",
		buckets: GROUP_BUCKETS,
		registers,
	});
	const fetches = new Counter({
		name: "idpool_federation_fetches_total",
		help: "Requests to login providers (their JWKS, discovery documents, token APIs), by provider kind and document.",
		labelNames: ["kind", "document"] as const,
		registers,
	});
	const fetchFailures = new Counter({
		name: "idpool_federation_fetch_failures_total",
		help: "Requests to login providers that got no usable answer (unreachable, timeout, 5xx, not JSON), by provider kind and document.",
		labelNames: ["kind", "document"] as const,
		registers,
	});
	const fetchSeconds = new Histogram({
		name: "idpool_federation_fetch_duration_seconds",
		help: "Time of requests to login providers, by provider kind.",
		labelNames: ["kind"] as const,
		buckets: FETCH_BUCKETS,
		registers,
	});
	const credentials = new Counter({
		name: "idpool_credentials_issued_total",
		help: "AWS credentials issued (GetCredentialsForIdentity, AssumeRoleWithWebIdentity), by provider (local or sts).",
		labelNames: ["provider"] as const,
		registers,
	});
	const throttled = new Counter({
		name: "idpool_throttled_requests_total",
		help: "Calls refused by a rate quota (TooManyRequestsException), by action.",
		labelNames: ["action"] as const,
		registers,
	});

	const httpAnswers = new Counter({
		name: "idpool_http_responses_total",
		help: "Requests the HTTP layer answered itself rather than an operation (unknown paths, bodies too large, CORS pre-flights, the well-known documents, the console), by route (unmatched for a path no route has) and HTTP status; the health endpoints left out.",
		labelNames: ["route", "status"] as const,
		registers,
	});
	const httpRefusals = new Counter({
		name: "idpool_http_refused_total",
		help: "Requests (or connections) the HTTP layer refused before routing them, by reason: malformed, timeout, headers_too_large, connection_limit.",
		labelNames: ["reason"] as const,
		registers,
	});
	for (const reason of HTTP_REFUSALS) httpRefusals.inc({ reason }, 0);
	new Gauge({
		name: "idpool_build_info",
		help: "Always 1; its labels say which idpool runs, on which Node.js.",
		labelNames: ["version", "node"] as const,
		registers,
	}).set({ version: VERSION, node: process.version }, 1);

	// The series of every action exist from the start, so that a rate or an absence can be
	// alerted on before the first call.
	for (const { service, operations } of actions) {
		for (const action of operations) {
			requests.inc({ service, action, outcome: SUCCESS }, 0);
			requestSeconds.zero({ service, action });
		}
	}
	for (const kind of ["guest", "authenticated"]) identities.inc({ kind }, 0);

	const observer: CallObserver = (record: CallRecord) => {
		const action = record.operation ?? UNKNOWN_ACTION;
		requests.inc({
			service: record.service,
			action,
			outcome: record.errorType ?? SUCCESS,
		});
		requestSeconds.observe(
			{ service: record.service, action },
			record.durationSeconds,
		);
	};

	return {
		observer,
		contentType: registry.contentType,
		exposition: () => {
			if (!defaults) {
				collectDefaultMetrics({ register: registry });
				defaults = true;
			}
			return registry.metrics();
		},
		tokenSigned(alg, seconds) {
			tokens.inc({ alg });
			signing.observe({ alg }, seconds);
		},
		storeTransaction(method, seconds) {
			transactions.observe({ method }, seconds);
		},
		storeRetry(reason) {
			retries.inc({ reason });
		},
		groupCommit(size) {
			groups.observe(size);
		},
		identityCreated(authenticated) {
			identities.inc({ kind: authenticated ? "authenticated" : "guest" });
		},
		identitiesPurged(count) {
			purged.inc(count);
		},
		poolsAwaitingPurge(count) {
			awaitingPurge.set(count);
		},
		federationFetch(kind, document, ok, seconds) {
			fetches.inc({ kind, document });
			if (!ok) fetchFailures.inc({ kind, document });
			fetchSeconds.observe({ kind }, seconds);
		},
		credentialsIssued(provider) {
			credentials.inc({ provider });
		},
		throttled(operation) {
			throttled.inc({ action: operation });
		},
		httpAnswered(route, status) {
			httpAnswers.inc({ route, status: String(status) });
		},
		httpRefused(reason) {
			httpRefusals.inc({ reason });
		},
	};
}
