#!/usr/bin/env bash
# CI's check of the Slurm scripts on a real (one-machine) Slurm: starts the
# cluster, submits a shipped plan in 4 shards with the dependent merge,
# waits for it, and checks that the merged outputs are the one-machine
# run's, byte for byte (the summary's elapsed time aside). Fails loudly if
# the cluster does not come up or a job fails; never skips.
#
#   deploy/slurm/check.sh WFSIM_BINARY
set -euo pipefail

wfsim=$(realpath "${1:?usage: check.sh WFSIM_BINARY}")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/wfsim-slurm.XXXXXX)
plan="$root/scenarios/jinan-2020-2025.toml"
flags=(-n 4000 -s 11)

"$root/deploy/slurm/single-node.sh" "$work/slurm"
export SLURM_CONF="$work/slurm/slurm.conf"
# The cluster goes when the check ends, however it ends; its files go only
# when the check passed (they are what to look at when it did not).
trap 'scontrol shutdown >/dev/null 2>&1 || true' EXIT

started=$SECONDS
read -r array merge < <(WFSIM="$wfsim" "$root/deploy/slurm/submit.sh" "$plan" 4 "$work/cluster" "${flags[@]}")
echo "check.sh: submitted shards as job $array, the merge as job $merge"

# Meanwhile, the one-machine run.
"$wfsim" run "$plan" "${flags[@]}" -j 1 -q -o "$work/one"

state=""
for _ in $(seq 300); do
    state=$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    case "$state" in
        COMPLETED) break ;;
        FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|"")
            echo "check.sh: the merge job $merge ended as '${state:-gone}'" >&2
            scontrol show job "$array" >&2 || true
            tail -n 30 "$work"/cluster/shards/*.out >&2 || true
            exit 1 ;;
    esac
    sleep 1
done
if [ "$state" != COMPLETED ]; then
    echo "check.sh: the merge job $merge did not finish within 300 s (state $state)" >&2
    exit 1
fi
echo "check.sh: the sharded run and its merge finished in $((SECONDS - started)) s"

ls "$work"/cluster/shards/shard-000{0,1,2,3}-of-0004.partial >/dev/null
for f in metrics.csv targets.csv report.html; do
    cmp "$work/one/$f" "$work/cluster/$f"
done
cmp <(grep -v '"elapsed_seconds"' "$work/one/summary.json") \
    <(grep -v '"elapsed_seconds"' "$work/cluster/summary.json")
diff -r <(cd "$work/one/charts" && ls) <(cd "$work/cluster/charts" && ls)
for f in "$work"/one/charts/*.svg; do
    cmp "$f" "$work/cluster/charts/$(basename "$f")"
done
echo "check.sh: the merged Slurm run equals the one-machine run (4 shards of ${flags[*]})"
scontrol shutdown >/dev/null 2>&1 || true
trap - EXIT
# The daemons write their state as they stop.
for _ in $(seq 20); do
    pgrep -x -r R,S,D slurmctld >/dev/null || break
    sleep 0.5
done
rm -rf "$work" 2>/dev/null || true
