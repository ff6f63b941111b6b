/** Everything a running sandbox holds: the model, its clock, faults, counters, admin token, data file. */
import type { Clock } from "./clock";
import type { Counters } from "./counters";
import type { FaultEngine } from "./faults";
import type { DeployToken, Model, State, Token } from "./model";
import { saveDataFile } from "./persistence";

/** A token as introspection shows it: everything but the digest. */
export type TokenInfo = Omit<Token, "digest"> & { active: boolean; expired: boolean };
/** A deploy token without its digest; `username` is the effective one (GitLab's default when none was given). */
export type DeployTokenInfo = Omit<DeployToken, "digest" | "username"> & {
  username: string;
  active: boolean;
  expired: boolean;
};

export class Runtime {
  /** Set once the server listens. */
  baseUrl = "";

  constructor(
    readonly model: Model,
    readonly clock: Clock,
    readonly faults: FaultEngine,
    readonly counters: Counters,
    public adminTokenDigest: string,
    readonly dataFile: string | undefined,
  ) {}

  /** Write the data file if anything changed since the last write. */
  persist(): void {
    if (!this.model.dirty) return;
    if (this.dataFile) {
      saveDataFile(this.dataFile, {
        savedAt: new Date().toISOString(),
        clock: this.clock.save(),
        state: this.model.state,
      });
    }
    this.model.dirty = false;
  }

  tokenInfo(t: Token): TokenInfo {
    const { digest: _digest, ...rest } = t;
    return { ...rest, active: this.model.isActive(t), expired: this.model.isExpired(t) };
  }

  deployTokenInfo(t: DeployToken): DeployTokenInfo {
    const { digest: _digest, ...rest } = t;
    return {
      ...rest,
      username: this.model.deployTokenUsername(t),
      active: this.model.isDeployTokenActive(t),
      expired: this.model.isDeployTokenExpired(t),
    };
  }

  /** The whole state without token digests, for `GET /-/sandbox/state` and tests. */
  snapshot(): Omit<State, "tokens" | "deployTokens"> & {
    now: string;
    tokens: TokenInfo[];
    deployTokens: DeployTokenInfo[];
  } {
    const s = structuredClone(this.model.state);
    return {
      ...s,
      now: this.clock.now().toISOString(),
      tokens: this.model.state.tokens.map((t) => this.tokenInfo(t)),
      deployTokens: this.model.deployTokenRows.map((t) => this.deployTokenInfo(t)),
    };
  }
}
