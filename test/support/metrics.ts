/**
 * Test support: a reader of Prometheus's text exposition format (what `GET /metrics` answers),
 * enough to look samples up by name and labels.
 */

/** One sample line: `name{label="value",...} value`. */
export interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

/** A parsed exposition: its samples, and the `# TYPE` of each metric family. */
export interface Exposition {
	samples: Sample[];
	types: Map<string, string>;
	/**
	 * The value of the sample `name` whose labels include `labels`; undefined when none, an
	 * error when several match.
	 */
	value(name: string, labels?: Record<string, string>): number | undefined;
	/** The samples of `name` whose labels include `labels`. */
	find(name: string, labels?: Record<string, string>): Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(value: string): string {
	return value.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

/** Parses the text of `GET /metrics`; a line that is neither a comment nor a sample throws. */
export function parseExposition(text: string): Exposition {
	const samples: Sample[] = [];
	const types = new Map<string, string>();
	for (const line of text.split("\n")) {
		if (line.trim() === "") continue;
		if (line.startsWith("#")) {
			const type = /^# TYPE (\S+) (\S+)$/.exec(line);
			if (type) types.set(type[1] as string, type[2] as string);
			continue;
		}
		const m = SAMPLE.exec(line);
		if (!m) throw new Error(`not a sample line: ${line}`);
		const labels: Record<string, string> = {};
		for (const l of (m[2] ?? "").matchAll(LABEL)) {
			labels[l[1] as string] = unescapeLabel(l[2] as string);
		}
		const raw = m[3] as string;
		const value =
			raw === "+Inf"
				? Number.POSITIVE_INFINITY
				: raw === "-Inf"
					? Number.NEGATIVE_INFINITY
					: Number(raw);
		samples.push({ name: m[1] as string, labels, value });
	}
	const find = (name: string, labels: Record<string, string> = {}) =>
		samples.filter(
			(s) =>
				s.name === name &&
				Object.entries(labels).every(([k, v]) => s.labels[k] === v),
		);
	return {
		samples,
		types,
		find,
		value(name, labels = {}) {
			const found = find(name, labels);
			if (found.length > 1) {
				throw new Error(
					`${found.length} samples of ${name} match ${JSON.stringify(labels)}`,
				);
			}
			return found[0]?.value;
		},
	};
}

/** GETs `<base>/metrics` and parses it; a status other than 200 throws. */
export async function scrape(base: string): Promise<Exposition> {
	const res = await fetch(`${base}/metrics`);
	const text = await res.text();
	if (res.status !== 200) {
		throw new Error(`GET /metrics answered ${res.status}: ${text}`);
	}
	return parseExposition(text);
}
