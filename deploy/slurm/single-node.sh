#!/usr/bin/env bash
# Starts a one-machine Slurm cluster (munged, slurmctld, slurmd) for testing
# the array scripts beside it: CI runs it, and so can anyone with Debian's
# slurm-wlm and munge installed, as root. Not for production: a real
# cluster has its own slurm.conf.
#
#   deploy/slurm/single-node.sh DIR      # config, state and logs under DIR
#   export SLURM_CONF=DIR/slurm.conf     # then sbatch/squeue/sinfo use it
#
# It works without cgroups (ProctrackType=proctrack/linuxproc,
# TaskPlugin=task/none, no cgroup.conf), as on containers and small VMs.
# Exits non-zero, saying why, if the node is not up within a minute.
set -euo pipefail

dir=$(realpath -m "${1:?usage: single-node.sh DIR}")
mkdir -p "$dir"/{state,spool,log}

for cmd in munged slurmctld slurmd sinfo; do
    command -v "$cmd" >/dev/null || { echo "single-node.sh: $cmd not found: apt-get install slurm-wlm munge" >&2; exit 1; }
done

# munge: the key the package made, a socket folder, the daemon as its user.
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=128 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
fi

# Running ones only (-r): a stopped daemon may linger as a zombie.
if pgrep -x -r R,S,D slurmctld >/dev/null || pgrep -x -r R,S,D slurmd >/dev/null; then
    echo "single-node.sh: a slurmctld or slurmd is already running on this machine: stop it first (scontrol shutdown)" >&2
    exit 1
fi

host=$(hostname -s)
# The node as slurmd sees it (CPUs, sockets, memory), less the uptime line.
node=$(slurmd -C | grep '^NodeName=' | sed "s/^NodeName=[^ ]*/NodeName=$host/")
cat > "$dir/slurm.conf" <<CONF
ClusterName=wfsim
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
$node State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null || true)
    case "$state" in
        idle*|mixed*|allocated*) echo "single-node.sh: Slurm is up: node $host $state (SLURM_CONF=$SLURM_CONF)"; exit 0 ;;
        down*|drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    sleep 1
done
echo "single-node.sh: the Slurm node did not come up within a minute (state: ${state:-none})" >&2
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
exit 1
