/**
 * The console's few DOM helpers: elements made from a tag, attributes and children (text is
 * always a text node, never HTML), and the messages of a page.
 */

type Child = Node | string | number | false | null | undefined;
type Attributes = Record<string, string | boolean | number | undefined>;

/** An element `tag` with `attributes` (`true` sets a boolean attribute) and `children`. */
export function h<K extends keyof HTMLElementTagNameMap>(
	tag: K,
	attributes: Attributes = {},
	...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		if (value === undefined || value === false) continue;
		element.setAttribute(name, value === true ? "" : String(value));
	}
	for (const child of children.flat()) {
		if (child === null || child === undefined || child === false) continue;
		element.append(typeof child === "object" ? child : String(child));
	}
	return element;
}

let fields = 0;

/** A labelled form control: its label, a hint (the control's description) and the control. */
export function field(
	label: string,
	control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
	hint?: string,
): HTMLDivElement {
	fields++;
	control.id ||= `field-${fields}`;
	const hintElement = hint
		? h("span", { class: "hint", id: `${control.id}-hint` }, hint)
		: undefined;
	if (hintElement) control.setAttribute("aria-describedby", hintElement.id);
	return h(
		"div",
		{ class: "field" },
		h("label", { for: control.id }, label),
		hintElement,
		control,
	);
}

/** A check box with its label after it. */
export function checkbox(
	label: string,
	name: string,
	checked: boolean,
): HTMLLabelElement {
	return h(
		"label",
		{ class: "check" },
		h("input", { type: "checkbox", name, checked }),
		label,
	);
}

/** The message areas of a page: a polite status and an alert for errors. */
export interface Messages {
	readonly status: HTMLElement;
	readonly error: HTMLElement;
	/** Shows a status (and clears the error). */
	say(text: string): void;
	/** Shows an error (and clears the status). */
	fail(err: unknown): void;
	clear(): void;
}

export function messages(): Messages {
	const status = h("p", { role: "status", class: "status" });
	const error = h("p", { role: "alert", class: "error" });
	return {
		status,
		error,
		say(text) {
			error.textContent = "";
			status.textContent = text;
		},
		fail(err) {
			status.textContent = "";
			error.textContent = describeError(err);
		},
		clear() {
			status.textContent = "";
			error.textContent = "";
		},
	};
}

/** What an error of the SDK (or any) says: its AWS name and message. */
export function describeError(err: unknown): string {
	const e = err as { name?: string; message?: string };
	const name = e?.name && e.name !== "Error" ? e.name : undefined;
	const message = e?.message ?? String(err);
	return name ? `${message} (${name})` : message;
}

/** Lines of a text area, trimmed, without empty ones. */
export function lines(text: string): string[] {
	return text
		.split("\n")
		.map((l) => l.trim())
		.filter((l) => l !== "");
}

/** A date as the console shows it. */
export function when(date: Date | string | undefined): string {
	if (date === undefined) return "";
	const d = typeof date === "string" ? new Date(date) : date;
	return d
		.toISOString()
		.replace("T", " ")
		.replace(/\.\d{3}Z$/, " UTC");
}

const FLASH = "idpool-console-flash";

/** A message for the next page (after a navigation): "Created pool …". */
export function flash(text: string): void {
	sessionStorage.setItem(FLASH, text);
}

/** The message left by the page before, once. */
export function takeFlash(): string | undefined {
	const text = sessionStorage.getItem(FLASH) ?? undefined;
	sessionStorage.removeItem(FLASH);
	return text;
}
