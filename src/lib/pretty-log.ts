/**
 * @module lib/pretty-log
 * The log for a person at a terminal (`--log-format pretty`): each JSON line of pino
 * becomes `HH:MM:SS.mmm LEVEL message key=value ...`, in local time, with the error's
 * stack (if any) on the lines below, indented. Colours only when asked (a terminal). A line
 * that is not pino's JSON is written unchanged. Small on purpose: the server's lines are
 * flat, and pino-pretty would bring a dozen packages for this.
 */

/** Where lines are written: a stream, or a capture in tests. */
export interface LineSink {
	write(text: string): unknown;
}

const LEVELS: Record<number, { name: string; color: string }> = {
	10: { name: "TRACE", color: "\x1b[90m" },
	20: { name: "DEBUG", color: "\x1b[90m" },
	30: { name: "INFO ", color: "\x1b[32m" },
	40: { name: "WARN ", color: "\x1b[33m" },
	50: { name: "ERROR", color: "\x1b[31m" },
	60: { name: "FATAL", color: "\x1b[35m" },
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
/** What pino adds to every line, said by the layout itself or not worth a terminal's room. */
const LAYOUT_KEYS = new Set(["level", "time", "pid", "hostname", "msg", "v"]);

function twoDigits(n: number, width = 2): string {
	return String(n).padStart(width, "0");
}

/** `time` (epoch milliseconds) as local `HH:MM:SS.mmm`. */
function timeOfDay(time: unknown): string {
	if (typeof time !== "number") return "--:--:--.---";
	const d = new Date(time);
	return `${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}:${twoDigits(d.getSeconds())}.${twoDigits(d.getMilliseconds(), 3)}`;
}

/** A value as `key=value` shows it: plain words bare, anything else as JSON. */
function shown(value: unknown): string {
	if (typeof value === "string") {
		return /^[\w./:@+-]+$/.test(value) ? value : JSON.stringify(value);
	}
	return JSON.stringify(value) ?? String(value);
}

/** One line of pino's JSON (without its newline) for a person; answers it with a newline. */
export function prettyLine(json: string, color: boolean): string {
	let entry: Record<string, unknown>;
	try {
		const parsed: unknown = JSON.parse(json);
		if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
			return `${json}\n`;
		entry = parsed as Record<string, unknown>;
	} catch {
		return `${json}\n`;
	}
	const level = LEVELS[entry.level as number] ?? {
		name: String(entry.level).toUpperCase().padEnd(5).slice(0, 5),
		color: "",
	};
	const paint = (code: string, text: string) =>
		color && code ? `${code}${text}${RESET}` : text;
	const parts = [
		paint(DIM, timeOfDay(entry.time)),
		paint(level.color, level.name),
	];
	if (typeof entry.msg === "string" && entry.msg !== "") parts.push(entry.msg);
	let stack: string | undefined;
	for (const [key, value] of Object.entries(entry)) {
		if (LAYOUT_KEYS.has(key) || value === undefined) continue;
		if (
			key === "err" &&
			typeof value === "object" &&
			value !== null &&
			!Array.isArray(value)
		) {
			const err = value as Record<string, unknown>;
			parts.push(
				`${paint(DIM, "err=")}${shown(`${err.type ?? "Error"}: ${err.message ?? ""}`)}`,
			);
			if (typeof err.stack === "string") stack = err.stack;
			continue;
		}
		parts.push(`${paint(DIM, `${key}=`)}${shown(value)}`);
	}
	const head = parts.join(" ");
	if (stack === undefined) return `${head}\n`;
	const indented = stack
		.split("\n")
		.slice(1)
		.map((l) => `    ${l.trim()}`)
		.join("\n");
	return indented ? `${head}\n${indented}\n` : `${head}\n`;
}

/** A sink for pino that writes each of its lines to `out` as {@link prettyLine} makes it. */
export function prettySink(out: LineSink, color: boolean): LineSink {
	return {
		write(text: string) {
			for (const line of text.split("\n")) {
				if (line !== "") out.write(prettyLine(line, color));
			}
			return true;
		},
	};
}
