/**
 * End to end with the real `pulumi` binary running this repository's program against the sandbox:
 * create, no-op, rotation by trigger, rotation by time, recovery from a token revoked behind
 * Pulumi's back, destroy — and no token value or credential in plaintext anywhere. The suite is
 * test/helpers/lifecycle-suite.ts; here it runs on the file backend (or on PostgreSQL with
 * GITLAB_TOKENS_TEST_BACKEND=postgres; test/e2e/lifecycle.postgres.test.ts always runs it there).
 */
import { describeLifecycle } from "../helpers/lifecycle-suite";
import { defaultTestBackend } from "./helpers";

jest.setTimeout(600_000);

describeLifecycle(defaultTestBackend());
