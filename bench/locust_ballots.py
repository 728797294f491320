"""Locust voters for bench_web.py: each signed-in voter casts one ballot in every open
ballot, in turn, then stops. Voters act independently: the pause before each vote is drawn
from an exponential distribution with mean 1/VOTES_PER_VOTER_PER_S (Poisson arrivals, so 500
voters do not all press the button in the same instant). Tokens come from TOKENS_FILE."""

import json
import os
import random
from itertools import count

from locust import task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

SETUP = json.loads(open(os.environ["TOKENS_FILE"]).read())  # noqa: SIM115
CHOICE = SETUP["candidates"][0]
NEXT = count()


class Voter(FastHttpUser):
    rate = float(os.environ.get("VOTES_PER_VOTER_PER_S", "0.65"))

    def wait_time(self) -> float:
        return random.expovariate(self.rate)

    def on_stop(self) -> None:
        with open(os.environ["RECEIPTS_FILE"], "a") as f:
            f.writelines(f"{b}\t{r}\n" for b, r in self.receipts)

    def on_start(self) -> None:
        self.receipts: list[tuple[str, str]] = []
        self.token = SETUP["tokens"][next(NEXT) % len(SETUP["tokens"])]
        self.ballots = list(SETUP["ballots"])

    @task
    def vote(self) -> None:
        if not self.ballots:
            raise StopUser()
        ballot = self.ballots.pop(0)
        with self.client.post(f"/api/ballots/{ballot}/votes", json={"choice": CHOICE},
                              headers={"Authorization": f"Bearer {self.token}"},
                              name="/api/ballots/[ballot]/votes", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")
            else:
                self.receipts.append((ballot, r.json()["receipt"]))
