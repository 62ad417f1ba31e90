/**
 * @module store/sql/batches
 * Going through a table in batches, in the order of a text key, for the work that must not
 * read a whole table at once nor hold one transaction for long (both engines).
 */

/** What one batch went through. */
export interface Batch {
	/** The keys of the rows it read, in order. */
	keys: string[];
	/** How many rows it changed. */
	changed: number;
}

/**
 * Runs `batch` until the end of the key order: each run is given the last key of the run
 * before (`""` for the first) and reads at most `size` rows after it; a run that reads fewer
 * is the last. Answers the rows changed, added up. A run that throws stops it: the runs
 * before stay done.
 */
export async function throughBatches(
	size: number,
	batch: (after: string) => Promise<Batch>,
): Promise<number> {
	let changed = 0;
	let after = "";
	for (;;) {
		const done = await batch(after);
		changed += done.changed;
		const last = done.keys.at(-1);
		if (last === undefined || done.keys.length < size) return changed;
		after = last;
	}
}
