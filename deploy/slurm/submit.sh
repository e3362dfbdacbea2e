#!/usr/bin/env bash
# Submits a sharded wfsim run to Slurm: an array of SHARDS tasks, and a merge
# that starts when all of them have succeeded. Prints the two job ids.
#
#   deploy/slurm/submit.sh SCENARIO SHARDS OUT [wfsim run flags, e.g. -n 1000000 -s 7]
#
# OUT must be on a file system every node sees. Set WFSIM to the wfsim
# binary if it is not on the nodes' PATH; extra sbatch options (partition,
# account, time) go in SBATCH_* environment variables, e.g.
# SBATCH_PARTITION=compute SBATCH_TIMELIMIT=01:00:00.
set -euo pipefail

scenario=${1:?usage: submit.sh SCENARIO SHARDS OUT [wfsim run flags]}
shards=${2:?usage: submit.sh SCENARIO SHARDS OUT [wfsim run flags]}
out=${3:?usage: submit.sh SCENARIO SHARDS OUT [wfsim run flags]}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
# The jobs' logs go beside the partial results, out of the run's own files.
mkdir -p "$out/shards"
out=$(cd "$out" && pwd)
scenario=$(realpath "$scenario")
export WFSIM=${WFSIM:-$(command -v wfsim || echo wfsim)}

array=$(sbatch --parsable --export=ALL --chdir="$out/shards" --array="0-$((shards - 1))" \
    "$here/wfsim-shard.sbatch" "$scenario" "$out" --shards "$shards" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --chdir="$out/shards" --dependency="afterok:$array" \
    --kill-on-invalid-dep=yes "$here/wfsim-merge.sbatch" "$out" --quiet)
merge=${merge%%;*}
echo "$array $merge"
