# Shared by deploy/cluster.sh and deploy/local/cluster-*.sh (sourced, not run).
# launch PIDFILE LOG COMMAND...: runs COMMAND in a session of its own, detached from this shell, and writes
# the session leader's pid (= the session id, = COMMAND's pid, since everything execs) to PIDFILE, so a
# crash fault can SIGKILL exactly that session and a stop can find it; nothing is ever killed by name.
launch() {
  local pidfile="$1" log="$2"; shift 2
  rm -f "$pidfile"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  echo "could not start $* (see $log)" >&2; return 1
}
# alive PIDFILE: the process runs (a zombie, killed but not yet reaped by init, does not count)
alive() { [ -s "$1" ] && [ -r "/proc/$(cat "$1")/stat" ] && ! awk '{exit ($3 == "Z" || $3 == "X") ? 0 : 1}' "/proc/$(cat "$1")/stat" 2>/dev/null; }
# as_user USER COMMAND...: COMMAND as USER without a forking wrapper (runuser forks), so launch's pid stays COMMAND's.
as_user() { local user="$1"; shift; if [ "$(id -u)" = 0 ]; then exec_as=(setpriv --reuid "$user" --regid "$user" --init-groups); else exec_as=(); fi; "${exec_as[@]}" "$@"; }
# the session of a launched process, SIGKILLed: the process and everything it started in that session
kill_session() { local pid; pid="$(cat "$1")"; kill -KILL -- -"$pid" 2>/dev/null || true; pkill -KILL -s "$pid" 2>/dev/null || true; }
