/**
 * What every page of the console gets from the router (main.ts): pages import it from here,
 * so that no page imports the entry point that imports it.
 */
import type { Credentials } from "./session.ts";

/** What a page gets: where to draw, the credentials, the route's parameters. */
export interface PageContext {
	main: HTMLElement;
	credentials: Credentials;
	params: string[];
	/** Called when the page is left (a live stream stops). */
	onLeave(stop: () => void): void;
}
