"""The public record: durable appends per second on SQLite, and verification time.

Appends go one entry per transaction, committed with WAL and synchronous=FULL on SQLite (and
with PostgreSQL's default synchronous_commit=on with --postgres), as the single writer does.
Verification recomputes every hash and link of a record of --verify entries, once in memory
and once read back from a SQLite file, then the Merkle root; the tally recounts --tally
published ballots.

    python bench/bench_record.py [--postgres URL]   # writes bench/results/record.md
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, markdown_table, write_results
from councilplan.councils import recount
from councilplan.record import GENESIS, RecordLog, make_entry, merkle_root, verify_chain
from councilplan.store import SqlRecordStore, engine_for, record_entries
from councilplan.testing.databases import reset_database


def appends_per_second(n: int, database: str | None = None) -> float:
    """Durable appends per second into a fresh record (SQLite file, or the URL given)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = engine_for(database or Path(tmp) / "record.db")
        if database:
            reset_database(engine)
        log = RecordLog(SqlRecordStore(engine))
        t0 = time.perf_counter()
        for i in range(n):
            log.append("ballot.cast", actor=f"member:{i}", authority="ballot:1",
                       payload={"receipt": i})
        rate = n / (time.perf_counter() - t0)
        if database:
            reset_database(engine)
        return rate


WRITER = """
import sys
from councilplan.record import RecordLog
from councilplan.store import SqlRecordStore, engine_for
log = RecordLog(SqlRecordStore(engine_for(sys.argv[1])))
i = 0
while True:
    print(log.append("ballot.cast", actor=f"m{i}", authority="b", payload={}).seq, flush=True)
    i += 1
"""


def crash_test(database: str | None, acks: int = 2000) -> str:
    """kill -9 the writer after ``acks`` acknowledged appends; check what survived."""
    with tempfile.TemporaryDirectory() as tmp:
        target = database or str(Path(tmp) / "record.db")
        if database:
            reset_database(engine_for(database))
        writer = subprocess.Popen([sys.executable, "-c", WRITER, target],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        acked = [int(writer.stdout.readline()) for _ in range(acks)]
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        log = RecordLog(SqlRecordStore(engine_for(target)))
        stored = {e.seq for e in log.store.entries()}
        lost = len(set(acked) - stored)
        ok = log.verify().ok
        if database:
            reset_database(engine_for(database))
        return f"{acks:,} acknowledged, {lost} lost, {len(stored):,} stored, verifies: {ok}"


def tally_seconds(n: int) -> float:
    """Recount n published single-choice ballots (receipt, choice) among five candidates."""
    rng = random.Random(0)
    published = sorted((f"{rng.getrandbits(128):032x}", f"candidate-{rng.randrange(5)}")
                       for _ in range(n))
    t0 = time.perf_counter()
    recount(published, "single", n)
    return time.perf_counter() - t0


def verify_from_store_seconds(entries: list) -> float:
    """Load the entries into a SQLite record in one transaction, then verify it from disk."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = engine_for(Path(tmp) / "record.db")
        SqlRecordStore(engine)
        with engine.begin() as conn:
            conn.execute(record_entries.insert(), [
                {"seq": e.seq, "kind": e.kind, "actor": e.actor, "authority": e.authority,
                 "payload": json.dumps(dict(e.payload), sort_keys=True),
                 "recorded_at": e.recorded_at, "prev_hash": e.prev_hash, "hash": e.hash}
                for e in entries])
        log = RecordLog(SqlRecordStore(engine))
        t0 = time.perf_counter()
        assert log.verify().ok
        return time.perf_counter() - t0


def verify_seconds(n: int) -> tuple[float, float, list]:
    entries, prev = [], GENESIS
    for i in range(1, n + 1):
        e = make_entry(seq=i, kind="ballot.cast", actor=f"member:{i}", authority="ballot:1",
                       payload={"receipt": i}, recorded_at="2026-11-26T12:00:00+00:00",
                       prev_hash=prev)
        entries.append(e)
        prev = e.hash
    t0 = time.perf_counter()
    assert verify_chain(entries).ok
    chain_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    merkle_root([e.hash for e in entries])
    return chain_s, time.perf_counter() - t0, entries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appends", type=int, default=3000)
    ap.add_argument("--verify", type=int, default=1_000_000)
    ap.add_argument("--postgres", help="database URL of a PostgreSQL server to measure too")
    ap.add_argument("--tally", type=int, default=1_000_000)
    args = ap.parse_args()
    chain_s, merkle_s, entries = verify_seconds(args.verify)
    from_store_s = verify_from_store_seconds(entries)
    del entries
    rows = [{"measure": f"durable appends, SQLite WAL synchronous=FULL ({args.appends:,})",
             "value": appends_per_second(args.appends), "unit": "entries/s"},
            *([{"measure": f"durable appends, PostgreSQL ({args.appends:,})",
                "value": appends_per_second(args.appends, args.postgres), "unit": "entries/s"}]
              if args.postgres else []),
            {"measure": f"verify chain of {args.verify:,} entries", "value": chain_s,
             "unit": "s"},
            {"measure": f"verify {args.verify:,} entries read from a SQLite record",
             "value": from_store_s, "unit": "s"},
            {"measure": f"Merkle root of {args.verify:,} entries", "value": merkle_s,
             "unit": "s"},
            {"measure": f"tally (recount) {args.tally:,} published ballots",
             "value": tally_seconds(args.tally), "unit": "s"},
            {"measure": "kill -9 of the writer, SQLite", "value": crash_test(None),
             "unit": ""},
            *([{"measure": "kill -9 of the writer, PostgreSQL",
                "value": crash_test(args.postgres), "unit": ""}] if args.postgres else [])]
    write_results("record", f"# The public record\n\nMachine: {machine()}\n\nCommand: "
                  f"`python bench/bench_record.py --appends {args.appends} --verify "
                  f"{args.verify}{' --postgres URL' if args.postgres else ''}`; one run.\n\n"
                  + markdown_table(rows) + "\n")


if __name__ == "__main__":
    main()
