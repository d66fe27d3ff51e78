#!/usr/bin/env bash
# Starts a single-node Slurm on this machine (loopback), for the Slurm test: munge with a fresh key, slurmctld
# and slurmd as root, proctrack/linuxproc, task/none, select/cons_tres. Idempotent: a running cluster is kept.
# (pgrep -r R,S,D: a zombie left by an earlier cluster does not count as running.)
# Prints "ready" when sinfo shows the node idle; exits non-zero saying why when Slurm cannot start.
set -u
fail() { echo "single-node Slurm cannot start: $*" >&2; exit 1; }
for tool in munged slurmctld slurmd sinfo sbatch; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install slurm-wlm munge; make test installs them)"
done
if sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed|allocated'; then echo ready; exit 0; fi

node=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
conf_dir=/etc/slurm
mkdir -p "$conf_dir" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
# The daemons outlive this script: none of them may keep its caller's stdout or stderr open.
start_log=/var/log/slurm/start.log
cat > "$conf_dir/slurm.conf" <<CONF
ClusterName=layoutlab
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=EXCLUSIVE
CONF
if ! pgrep -r R,S,D -x munged >/dev/null; then
  [ -s /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null
  chmod 400 /etc/munge/munge.key
  runuser -u munge -- munged >>"$start_log" 2>&1 || munged --force >>"$start_log" 2>&1 || fail "munged does not start: $(tail -3 "$start_log")"
fi
pgrep -r R,S,D -x slurmctld >/dev/null || slurmctld >>"$start_log" 2>&1 || fail "slurmctld does not start (see /var/log/slurm/slurmctld.log)"
pgrep -r R,S,D -x slurmd >/dev/null || slurmd >>"$start_log" 2>&1 || fail "slurmd does not start (see /var/log/slurm/slurmd.log)"
for _ in $(seq 1 60); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1)
  case "$state" in idle*|mixed*|allocated*) echo ready; exit 0 ;; esac
  [ "$state" = "down" ] || [ "$state" = "drained" ] && scontrol update nodename="$node" state=resume 2>/dev/null
  sleep 0.5
done
fail "the node never became idle (sinfo says: $(sinfo -h 2>&1 | head -1))"
