"""kill -9 the single writer in the middle of a stream of appends; after restart every entry
it acknowledged is there and the record verifies."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from councilplan.record import RecordLog
from councilplan.store import SqlRecordStore, engine_for

WRITER = textwrap.dedent("""
    import sys
    from councilplan.record import RecordLog
    from councilplan.store import SqlRecordStore, engine_for
    log = RecordLog(SqlRecordStore(engine_for(sys.argv[1])))
    i = 0
    while True:
        entry = log.append("ballot.cast", actor=f"member:{i}", authority="ballot:1",
                           payload={"n": i})
        print(entry.seq, flush=True)  # acknowledged only after the commit returned
        i += 1
""")


def test_every_acknowledged_entry_survives_kill_9(database):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, database], stdout=subprocess.PIPE,
                              text=True)
    acknowledged = []
    deadline = time.monotonic() + 60
    assert writer.stdout is not None
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        acknowledged.append(int(writer.stdout.readline()))
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    assert len(acknowledged) >= 300
    log = RecordLog(SqlRecordStore(engine_for(database)))
    stored = [e.seq for e in log.store.entries()]
    assert set(acknowledged) <= set(stored)
    assert stored == list(range(1, len(stored) + 1))
    assert log.verify().ok
    entry = log.append("ballot.cast", actor="member:after", authority="ballot:1")
    assert entry.seq == len(stored) + 1 and log.verify().ok
