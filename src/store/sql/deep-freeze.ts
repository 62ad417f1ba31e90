/**
 * @module store/sql/deep-freeze
 * Freezes a record and everything it holds, for the pools both engines keep in memory: a
 * caller that tried to change a cached pool would throw rather than change what the next
 * request reads.
 */
export function deepFreeze<T>(value: T): T {
	if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
		for (const inner of Object.values(value)) deepFreeze(inner);
		Object.freeze(value);
	}
	return value;
}
