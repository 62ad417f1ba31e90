/**
 * @module server/paths
 * The paths of the server's HTTP routes that commands of the CLI call, in a module that loads
 * nothing heavy: `idpool dev-token` starts without loading the server.
 */
export { DEV_ISSUER_PATH } from "../tokens/dev-issuer.ts";
