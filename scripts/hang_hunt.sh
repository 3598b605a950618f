#!/bin/bash
# Hunts the test suite's rare hang: about one full run in ten on a 2-core machine stops printing
# and never ends. Traced twice: the test process had no libdispatch worker thread at all while a
# test was still waiting, and (checked the second time) no dispatch timer armed, the manager thread
# in epoll_wait without a timeout: no Swift task ran any more, not even a timer's.
#
# Runs `swift test --skip-build` RUNS times (default 8), each logged to $OUT/run<N>.log. When a run
# prints nothing for 90 s while its test process lives, the threads are listed in $OUT/summary and
# gdb enqueues one empty job on libdispatch's global queue (dispatch_async_f(queue, NULL, free)):
# if the run then goes on, the hang was a lost wake-up of the global queue's workers (jobs waiting,
# no worker started); if not, it is killed and the summary says so. Needs gdb, and the servers the
# suite uses running (RAPPORT_TEST_POSTGRES_URL / RAPPORT_TEST_AMQP_URL set by the caller).
#
# Result on 2026-12-06 (one hang in six runs): the poke started a worker thread and nothing ran,
# so it is not a lost wake-up: no job was queued, and every remaining task awaits something that
# is never completed and has no timeout around it. The thread dump (run<N>.threads) is the lead.
set -u
RUNS=${1:-8}
OUT=${OUT:-/tmp/rapport-hang-hunt}
mkdir -p "$OUT"
cd "$(dirname "$0")/.."
for n in $(seq 1 "$RUNS"); do
  log="$OUT/run$n.log"
  swift test --skip-build > "$log" 2>&1 &
  spid=$!
  last=0; still=0; poked=0
  while kill -0 $spid 2>/dev/null; do
    sleep 10
    size=$(stat -c %s "$log")
    if [ "$size" = "$last" ]; then still=$((still + 10)); else still=0; last=$size; fi
    pid=$(pgrep -f "rapportPackageTests.xctest --skip-build" | head -1)
    if [ $still -ge 90 ] && [ $poked = 0 ] && [ -n "$pid" ]; then
      echo "run $n: no output for 90 s at $(date +%T); threads (name, wait channel):" >> "$OUT/summary"
      for t in /proc/$pid/task/*; do echo "  $(cat $t/comm) $(cat $t/wchan)" >> "$OUT/summary"; done
      gdb -p "$pid" -batch -ex "thread apply all bt 12" > "$OUT/run$n.threads" 2>&1
      gdb -p "$pid" -batch -ex "call (void)dispatch_async_f((void*)dispatch_get_global_queue(0,0), (void*)0, (void*)free)" \
        > "$OUT/run$n.poke" 2>&1
      echo "run $n: poked at $(date +%T)" >> "$OUT/summary"
      poked=1; still=0
      sleep 30
      echo "run $n: 30 s after the poke the log grew by $(( $(stat -c %s "$log") - size )) bytes" >> "$OUT/summary"
    fi
    if [ $still -ge 120 ] && [ $poked = 1 ]; then
      echo "run $n: still hung after the poke; killed" >> "$OUT/summary"
      pkill -9 -f rapportPackageTests.xctest; break
    fi
  done
  wait $spid
  echo "run $n: exit $? $(grep -a 'Test run with' "$log" | sed 's/\x1b\[[0-9;]*m//g')" >> "$OUT/summary"
done
cat "$OUT/summary"
