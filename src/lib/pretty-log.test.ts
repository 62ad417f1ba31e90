import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { prettyLine, prettySink } from "./pretty-log.ts";

/** A pino line at `time` (local 09:05:03.007 on 2026-03-01). */
const at = new Date(2026, 2, 1, 9, 5, 3, 7).getTime();

describe("the pretty log format", () => {
	test("time of day, level, message, then the fields; pino's own fields left out", () => {
		const line = JSON.stringify({
			level: 30,
			time: at,
			pid: 1,
			hostname: "h",
			requestId: "r-1",
			action: "GetId",
			status: 200,
			durationMs: 1.5,
			msg: "request",
		});
		assert.equal(
			prettyLine(line, false),
			"09:05:03.007 INFO  request requestId=r-1 action=GetId status=200 durationMs=1.5\n",
		);
	});

	test("values with spaces or quotes as JSON, objects as JSON, null as null", () => {
		const line = JSON.stringify({
			level: 40,
			time: at,
			msg: "connections refused",
			why: 'a "b" c',
			counts: { a: 1 },
			action: null,
		});
		assert.equal(
			prettyLine(line, false),
			'09:05:03.007 WARN  connections refused why="a \\"b\\" c" counts={"a":1} action=null\n',
		);
	});

	test("an error: its type and message as a field, its stack indented below", () => {
		const line = JSON.stringify({
			level: 50,
			time: at,
			msg: "internal error",
			err: {
				type: "Error",
				message: "boom",
				stack: "Error: boom\n    at f (file.ts:1:1)\n    at g (file.ts:2:2)",
			},
		});
		assert.equal(
			prettyLine(line, false),
			'09:05:03.007 ERROR internal error err="Error: boom"\n    at f (file.ts:1:1)\n    at g (file.ts:2:2)\n',
		);
	});

	test("colours only when asked; a line that is not JSON passes unchanged", () => {
		const line = JSON.stringify({ level: 30, time: at, msg: "m", k: "v" });
		assert.equal(
			prettyLine(line, true),
			"\x1b[2m09:05:03.007\x1b[0m \x1b[32mINFO \x1b[0m m \x1b[2mk=\x1b[0mv\n",
		);
		assert.equal(prettyLine("not json", true), "not json\n");
		assert.equal(prettyLine("[1,2]", false), "[1,2]\n");
	});

	test("the sink writes each line of a chunk", () => {
		const out: string[] = [];
		const sink = prettySink({ write: (t) => out.push(t) }, false);
		sink.write(
			`${JSON.stringify({ level: 30, time: at, msg: "a" })}\n${JSON.stringify({ level: 20, time: at, msg: "b" })}\n`,
		);
		assert.deepEqual(out, ["09:05:03.007 INFO  a\n", "09:05:03.007 DEBUG b\n"]);
	});
});
