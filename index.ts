/**
 * The gitlab-tokens program of this repository: the token declarations of `tokens.yaml` (or of the
 * file named by config `gitlab-tokens:declarations`), validated before anything reaches GitLab, one
 * component per token (components/program.ts — the same function a program that installed the
 * package calls). Exports a summary without any secret.
 */
import { declareTokens } from "./components";

/** Per token: what it is, when it expires and rotates, where it is delivered. No values. */
export const tokens = declareTokens();
