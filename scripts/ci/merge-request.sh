#!/usr/bin/env bash
# The merge-request job of .gitlab-ci.yml (`tokens:preview`): review and policy checks that hold no
# secret. Run from the repository root, after `npm ci` (root and policies/) and `npm run build`,
# with `pulumi` on PATH. See docs/ci.md and docs/security.md.
#
#   1. Refuses to run when PULUMI_CONFIG_PASSPHRASE(_FILE) or GITLAB_TOKEN is visible: a merge
#      request runs its own branch's .gitlab-ci.yml, so a secret visible here is readable by anyone
#      who can push a branch. Those variables belong to protected pipelines only (protected, scoped
#      to the `gitlab-tokens` environment).
#   2. `npm run review` against $PULUMI_STACK's state: `pulumi stack export` without
#      --show-secrets, which needs read access to the state backend and no passphrase (token values
#      stay ciphertext, and the review drops them anyway). The review judges kept tokens from their
#      recorded creation dates. GITLAB_TOKENS_REVIEW_STATE changes where the state comes from:
#      `none` (no access to the state: every token is reviewed as new) or the path of a
#      `pulumi stack export` file made elsewhere (no backend access needed here).
#   3. `pulumi preview --policy-pack policies` of the same declarations on a throwaway stack: a file
#      backend in a temporary folder inside the job's folder and a random passphrase made here. Every
#      token is a create, which a preview does not run; the providers' `check` is pure, so the preview
#      makes no GitLab API call and needs no GitLab credential. The real stack's plain config
#      (Pulumi.<stack>.yaml: declarations file, rotationEpoch, …) is copied; its encrypted values
#      are not.
#
# Writes <out>/report.md, <out>/gl-code-quality-report.json (the review) and <out>/preview.txt (the
# preview's output). Exit status: 0 when the review and the policy preview pass; 1 when either
# reports a blocking finding or could not run; 3 when a secret is visible to the job.
#
# Environment: PULUMI_STACK (the real stack), PULUMI_BACKEND_URL and read-only backend credentials
# (or a read-only PULUMI_ACCESS_TOKEN) for its state, GITLAB_TOKENS_REVIEW_STATE (see 2.),
# POLICY_PACK_CONFIG (default policies/config.json, used when the file exists),
# GITLAB_TOKENS_REVIEW_OUT (default review-out).
set -euo pipefail

out="${GITLAB_TOKENS_REVIEW_OUT:-review-out}"
real_stack="${PULUMI_STACK:-}"
policy_config="${POLICY_PACK_CONFIG:-policies/config.json}"
preview_stack="gitlab-tokens-merge-request"

section() { printf '\n== %s\n' "$*"; }

# --- 1. no secret ----------------------------------------------------------------------------------
visible=()
for name in PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE GITLAB_TOKEN; do
  if [ -n "${!name:-}" ]; then visible+=("$name"); fi
done
if [ "${#visible[@]}" -gt 0 ]; then
  {
    echo "error: ${visible[*]} is visible to this merge-request job."
    echo "A merge request runs its own branch's .gitlab-ci.yml, so anyone who can push a branch can print it."
    echo "Make the variable protected and scope it to the protected environment \`gitlab-tokens\`"
    echo "(docs/ci.md, docs/security.md), then rotate the secret: treat it as disclosed."
    echo "This job needs neither: the review reads the state without a passphrase and the policy"
    echo "preview runs on a throwaway stack."
  } >&2
  exit 3
fi

if [ ! -f Pulumi.yaml ]; then
  echo "error: run this script from the repository root (the folder holding Pulumi.yaml)" >&2
  exit 1
fi
mkdir -p "$out"

# --- 2. the review, against the real stack's state (read-only, no passphrase) ----------------------
review_state="${GITLAB_TOKENS_REVIEW_STATE:-stack}"
review_args=(--out "$out")
case "$review_state" in
  stack) review_from="${real_stack:+stack $real_stack}" ;;
  none) review_from="no state: every token is new" ;;
  *) review_from="state file $review_state" && review_args+=(--state "$review_state") ;;
esac
section "review (npm run review${review_from:+, against $review_from})"
review_status=0
if [ "$review_state" = stack ]; then
  npm run --silent review -- "${review_args[@]}" || review_status=$?
else
  # Without --stack the review reads no rotationEpoch from Pulumi.<stack>.yaml: pass it on.
  epoch="$(node -e '
    const fs = require("node:fs");
    const f = process.argv[1];
    const c = fs.existsSync(f) ? (require("yaml").parse(fs.readFileSync(f, "utf8")) ?? {}).config ?? {} : {};
    const v = c["gitlab-tokens:rotationEpoch"];
    if (typeof v === "string" || typeof v === "number") process.stdout.write(String(v));
  ' "Pulumi.${real_stack##*/}.yaml")" || exit 1
  if [ -n "$real_stack" ] && [ -n "$epoch" ]; then review_args+=(--rotation-epoch "$epoch"); fi
  env -u PULUMI_STACK npm run --silent review -- "${review_args[@]}" || review_status=$?
fi

# --- 3. the policy pack on a throwaway stack of the same declarations -------------------------------
section "policy pack (pulumi preview --policy-pack policies on a throwaway stack)"
written_config="Pulumi.$preview_stack.yaml"
if [ -e "$written_config" ]; then
  echo "error: $written_config exists; this job needs that name for its throwaway stack" >&2
  exit 1
fi
work="$(mktemp -d "$PWD/.gitlab-tokens-merge-request.XXXXXX")"
trap 'rm -rf "$work" "$written_config"' EXIT
stack_config="$work/Pulumi.$preview_stack.yaml"

preview_status=0
# `set -e` does not apply inside `( … ) || …`: each step checks its own status.
(
  export PULUMI_BACKEND_URL="file://$work/state"
  # A passphrase made for this job and forgotten with it: the throwaway stack holds no secret.
  PULUMI_CONFIG_PASSPHRASE="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export PULUMI_CONFIG_PASSPHRASE
  unset PULUMI_ACCESS_TOKEN
  mkdir -p "$work/state" || exit 1

  # `stack init` writes the stack's config file (its salt) next to Pulumi.yaml; keep it in $work.
  pulumi stack init "$preview_stack" --non-interactive >/dev/null || exit 1
  mv "$written_config" "$stack_config" || exit 1

  # The real stack's plain config, without its encrypted values (secure: …), which stay unread.
  node - "Pulumi.${real_stack##*/}.yaml" "$stack_config" "$real_stack" <<'EOF' || exit 1
const fs = require("node:fs");
const YAML = require("yaml");
const [from, to, stack] = process.argv.slice(2);
const hasSecure = (v) =>
  v !== null && typeof v === "object" && ("secure" in v || Object.values(v).some(hasSecure));
const target = YAML.parse(fs.readFileSync(to, "utf8")) ?? {};
target.config = {};
if (stack && fs.existsSync(from)) {
  const source = YAML.parse(fs.readFileSync(from, "utf8")) ?? {};
  const dropped = [];
  for (const [key, value] of Object.entries(source.config ?? {})) {
    if (hasSecure(value)) dropped.push(key);
    else target.config[key] = value;
  }
  const kept = Object.keys(target.config);
  console.log(`config from ${from}: ${kept.length ? kept.join(", ") : "none"}`);
  if (dropped.length) console.log(`not copied (encrypted, not needed by a preview): ${dropped.join(", ")}`);
}
fs.writeFileSync(to, YAML.stringify(target));
EOF

  policy_args=(--policy-pack policies)
  if [ -f "$policy_config" ]; then policy_args+=(--policy-pack-config "$policy_config"); fi
  set -o pipefail
  pulumi preview --stack "$preview_stack" --config-file "$stack_config" "${policy_args[@]}" \
    --diff --non-interactive 2>&1 | tee "$out/preview.txt"
) || preview_status=$?

section "result"
echo "review: exit $review_status (report: $out/report.md, code quality: $out/gl-code-quality-report.json)"
echo "policy preview: exit $preview_status (output: $out/preview.txt)"
if [ "$review_status" -ne 0 ] || [ "$preview_status" -ne 0 ]; then exit 1; fi
