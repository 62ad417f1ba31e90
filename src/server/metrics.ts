/**
 * @module server/metrics
 * The metrics of one server as the composition root wires them (docs/operating.md#metrics):
 * with `--metrics on`, a Prometheus registry of its own (`metrics/prometheus.ts`), the
 * dispatcher's observer that counts calls, the store seen through a timing view, and
 * `/metrics` served on the main port or, with `--metrics-port`, on a listener of its own;
 * with `--metrics off`, the no-op port, nothing observed, no route.
 */
import type { Config } from "../config/schema.ts";
import type { CredentialsProvider } from "../credentials/provider.ts";
import type { CallObserver } from "../dispatch/dispatcher.ts";
import { type Metrics, noMetrics } from "../lib/metrics.ts";
import { observedStore } from "../metrics/observed-store.ts";
import { createPrometheusMetrics } from "../metrics/prometheus.ts";
import { operationNames } from "../operations/index.ts";
import type { Store } from "../store/store.ts";
import {
	createHttpApp,
	type HttpAppOptions,
	installMetrics,
	listenQuietly,
	type MetricsSource,
} from "./http.ts";

/** The metrics of a server, on or off. */
export interface ServerMetrics {
	/** What the parts tell (the no-op port when off). */
	readonly port: Metrics;
	/** The dispatcher's observers: the request counter when on. */
	readonly observers: readonly CallObserver[];
	/** What the main port's `/metrics` answers; undefined when off or on a port of its own. */
	readonly onMainPort: MetricsSource | undefined;
	/** `store` as the server's calls use it: timed when on. */
	observe(store: Store): Store;
	/** `provider` with the credentials it issues counted under `name`. */
	counted(provider: CredentialsProvider, name: string): CredentialsProvider;
	/** Starts the listener of `--metrics-port`, if any, an app made with `http`; answers its port. */
	listen(http: HttpAppOptions): Promise<number | undefined>;
	/** Stops that listener. */
	close(): Promise<void>;
}

/** The metrics of a server with `config`. */
export function serverMetrics(config: Config): ServerMetrics {
	if (!config.metrics) {
		return {
			port: noMetrics,
			observers: [],
			onMainPort: undefined,
			observe: (store) => store,
			counted: (provider) => provider,
			listen: async () => undefined,
			close: async () => {},
		};
	}
	const metrics = createPrometheusMetrics([
		{
			service: "cognito-identity",
			operations: operationNames("cognito-identity"),
		},
		{ service: "sts", operations: operationNames("sts") },
	]);
	const source: MetricsSource = {
		contentType: metrics.contentType,
		exposition: () => metrics.exposition(),
	};
	const ownPort = config.metricsPort !== 0;
	let app: ReturnType<typeof createHttpApp> | undefined;
	return {
		port: metrics,
		observers: [metrics.observer],
		onMainPort: ownPort ? undefined : source,
		observe: (store) => observedStore(store, metrics),
		counted: (provider, name) => ({
			async issue(request) {
				const issued = await provider.issue(request);
				metrics.credentialsIssued(name);
				return issued;
			},
		}),
		async listen(http) {
			if (!ownPort) return undefined;
			app = createHttpApp(http);
			installMetrics(app, source, { alone: true });
			return listenQuietly(app, config.host, config.metricsPort);
		},
		async close() {
			await app?.close();
		},
	};
}
