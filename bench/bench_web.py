"""Ballots cast over HTTP: 500 concurrent voters against the web app on loopback.

A federation with one council of --voters members and --ballots open ballots is made in a
database (SQLite, and PostgreSQL with --postgres URL); each member gets a signed-in session.
The app runs in its own process (`councilplan serve`, one uvicorn worker); Locust runs the
voters in another (all 500 signed in within 5 s), each casting one ballot in every open
ballot after pauses drawn at random (Poisson arrivals) so that all together offer about
--rate ballots a second, until --run-time ends the run. Throughput is read from the record
itself: ballot.voted entries after the 5 s ramp-up over the time they span; latency
percentiles (whole run) from Locust. Then
every ballot is closed and recounted: every receipt a voter got back must be published with
the choice cast, the tallies must add up to the record's ballot.voted entries, and the record
must verify.

    python bench/bench_web.py [--postgres URL]    # writes bench/results/web.md
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import machine, markdown_table, write_results
from councilplan.api.service import FederationService
from councilplan.testing.databases import reset_database
from councilplan.testing.web import make_service

HERE = Path(__file__).resolve().parent
RAMP_S = 5.0  # all voters are signed in and voting after this
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_up(database: str, folder: Path, voters: int, ballots: int) -> dict[str, object]:
    service = make_service(database, folder)
    fed = service.federation
    members = [f"voter{i:04d}" for i in range(voters)]
    fed.found_council("assembly", "district", skilled_pay=20, actor="founder")
    for m in members:
        fed.admit(m, "assembly", actor="founder")
    opened = [fed.open_election("assembly", members[:2], actor=members[0])
              for _ in range(ballots)]
    tokens = [service.accounts.start_session(m)[0] for m in members]
    service.engine.dispose()
    return {"tokens": tokens, "ballots": opened, "candidates": members[:2]}


def run_backend(name: str, database: str, args: argparse.Namespace) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"councilplan-web-{name}-"))
    setup = set_up(database, folder, args.voters, args.ballots)
    (folder / "tokens.json").write_text(json.dumps(setup))
    port = free_port()
    server = subprocess.Popen([str(BIN / "councilplan"), "serve", database, "--data-dir",
                               str(folder), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port)
        per_voter = args.rate / args.voters
        env = os.environ | {"TOKENS_FILE": str(folder / "tokens.json"),
                            "RECEIPTS_FILE": str(folder / "receipts.tsv"),
                            "VOTES_PER_VOTER_PER_S": str(per_voter)}
        subprocess.run([str(BIN / "locust"), "-f", str(HERE / "locust_ballots.py"),
                        "--headless", "-u", str(args.voters), "-r", str(args.voters // 5),
                        "--run-time", f"{args.run_time}s", "--host", f"http://127.0.0.1:{port}",
                        "--csv", str(folder / "locust"), "--csv-full-history",
                        "--only-summary", "--stop-timeout", "10"],
                       env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        server.terminate()
        server.wait(30)
    stats = _locust_row(folder / "locust_stats.csv")
    stats["steady p99"] = str(_steady_p99(folder / "locust_stats_history.csv"))
    return _check(name, database, folder, setup, stats, args)


def _steady_p99(path: Path) -> float:
    """The worst p99 of Locust's 10 s windows that start after the ramp-up."""
    with path.open() as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    start = int(rows[0]["Timestamp"])
    late = [float(r["99%"]) for r in rows
            if int(r["Timestamp"]) >= start + RAMP_S + 10 and r["99%"] not in ("N/A", "")]
    return max(late) if late else float("nan")


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _locust_row(path: Path) -> dict[str, str]:
    with path.open() as f:
        return next(r for r in csv.DictReader(f) if r["Name"] == "/api/ballots/[ballot]/votes")


def _check(name: str, database: str, folder: Path, setup: dict[str, object],
           stats: dict[str, str], args: argparse.Namespace) -> dict[str, object]:
    service = FederationService(database, folder)
    voted = [e for e in service.entries() if e.kind == "ballot.voted"]
    times = sorted(datetime.fromisoformat(e.recorded_at) for e in voted)
    steady = [t for t in times if (t - times[0]).total_seconds() >= RAMP_S]
    span = (steady[-1] - steady[0]).total_seconds()
    counted = 0
    for ballot in setup["ballots"]:  # type: ignore[attr-defined]
        tally = service.act(lambda f, b=ballot: f.close(b, actor="voter0000"))
        counted += sum(tally.values())
    verified = service.verify()
    accepted = int(stats["Request Count"]) - int(stats["Failure Count"])
    receipts = [line.split("\t") for line in (folder / "receipts.tsv").read_text().split("\n")
                if line]
    candidate = setup["candidates"][0]  # type: ignore[index]
    counted_as_cast = sum(service.check_receipt(b, r) == candidate for b, r in receipts)
    service.engine.dispose()
    return {"database": name, "voters": args.voters, "offered ballots/s": args.rate,
            "accepted": accepted, "failed": int(stats["Failure Count"]),
            "ballots/s (record)": (len(steady) - 1) / span if span else float("nan"),
            "p50 ms": float(stats["50%"]), "p99 ms": float(stats["99%"]),
            "p99 ms after ramp-up": float(stats["steady p99"]),
            "max ms": float(stats["Max Response Time"]),
            "receipts checked": len(receipts), "tallied": counted,
            "none lost": _yes(counted == len(voted) and counted_as_cast == len(receipts)),
            "record verifies": _yes(bool(verified["ok"]))}


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--ballots", type=int, default=40,
                        help="ballots each voter casts at most (enough to outlast the run)")
    parser.add_argument("--rate", type=float, default=340.0, help="offered ballots/s")
    parser.add_argument("--run-time", type=int, default=45)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL")
    args = parser.parse_args()
    rows = []
    backends = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    for name, url in backends:
        runs = []
        for _ in range(args.repeats):
            if url is None:
                database = str(Path(tempfile.mkdtemp()) / "fed.db")
            else:
                from councilplan.store import engine_for

                engine = engine_for(url)
                reset_database(engine)
                engine.dispose()
                database = url
            runs.append(run_backend(name, database, args))
            print(runs[-1], flush=True)
        runs.sort(key=lambda r: r["ballots/s (record)"])  # type: ignore[arg-type, return-value]
        rows.append(runs[len(runs) // 2] | {"runs": len(runs)})
    text = (f"# Ballots over HTTP\n\nMachine: {machine()}.\n\n"
            f"`python bench/bench_web.py{' --postgres URL' if args.postgres else ''}`: "
            f"{args.voters} Locust voters on loopback, paced to offer {args.rate:g} ballots/s "
            f"in all (Poisson arrivals), for {args.run_time} s, against `councilplan serve` "
            f"(one uvicorn worker, its own process); Locust in a second process on the same "
            f"2 cores. The run with the median throughput of {args.repeats} is shown. "
            f"Throughput is counted from the record's ballot.voted entries after the 5 s "
            f"ramp-up; latency is Locust's over the whole run, and the worst p99 of its 10 s "
            f"windows once all voters are signed in. After the run every ballot is "
            f"closed and recounted: every receipt a voter got back must be published with the "
            f"choice cast, and the tally must equal the ballot.voted entries (Locust's count of "
            f"accepted votes can fall short of both: requests in flight when the run ends are "
            f"not counted).\n\n"
            + markdown_table(rows) + "\n")
    write_results("web", text)


if __name__ == "__main__":
    main()
