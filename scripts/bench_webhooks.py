"""Issue 20's bench rows (imported by scripts/bench): P1's durable writes
with 10 webhook subscriptions delivering to a local receiver vs without, and
the delivery lag: once with one event per request (the default), once with
`batchGrootte` 100 (CloudEvents batch mode).

The receiver is a small asyncio HTTP/1.1 server (keep-alive) that answers 204
and notes, per request, its arrival time minus the CloudEvent's `time` (when
the server recorded the event). The recorded time precedes the write's
acknowledgement by the fsync of its group, so the lag is measured from a
little before the acknowledgement: it slightly overstates the lag.
"""

import asyncio
import datetime
import json
import re
import shutil
import threading
import time
import urllib.request

# Every CloudEvent's own `time` (a batch holds several; `data` has no `time`).
TIME = re.compile(rb'"time":"([^"]+)"')


class Receiver:
    def __init__(self):
        self.lags = []  # seconds, one per event
        self.requests = 0
        self.last_arrival = 0.0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()
        self.url = f"http://127.0.0.1:{self.port}/bench-hook"

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._conn, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _conn(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                now = time.time()
                for m in TIME.finditer(body):
                    recorded = datetime.datetime.fromisoformat(m.group(1).decode().replace("Z", "+00:00"))
                    self.lags.append(now - recorded.timestamp())
                self.requests += 1
                self.last_arrival = now
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def subscribe(base, token, url, agenda, batch=1):
    body = json.dumps({"callbackUrl": url, "agenda": agenda, "omschrijving": "scripts/bench",
                       "batchGrootte": batch}).encode()
    req = urllib.request.Request(base + "/v1/abonnementen", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 201


def with_subscriptions(Server, wrk, store, ids, token, secs, log, agendas, subscriptions, batch, flags):
    """P1 on a copy of `store` with `subscriptions` delivering (`batch` per request)."""
    receiver = Receiver()
    copy = store + f"-webhooks-batch{batch}"
    shutil.copytree(store, copy)
    srv = Server(copy, flags)
    time.sleep(1)
    for i in range(subscriptions):
        subscribe(srv.base, token, receiver.url, agendas[i % len(agendas)], batch)
    time.sleep(1)
    log(f"P1 webhooks: durable writes with {subscriptions} subscriptions ({len(agendas)} agendas, "
        f"batchGrootte {batch}), {secs} s")
    before, requests = len(receiver.lags), receiver.requests
    result = wrk(srv.base, "write.lua", secs, BENCH_IDS=ids, BENCH_TOKEN=token)
    ended = time.time()
    # until the receiver has had nothing for 3 s (at most 10 min)
    while time.time() - max(receiver.last_arrival, ended) < 3 and time.time() - ended < 600:
        time.sleep(0.2)
    drain = max(0.0, receiver.last_arrival - ended)
    srv.stop()
    shutil.rmtree(copy, ignore_errors=True)
    lags = sorted(receiver.lags[before:])
    pick = lambda p: lags[min(len(lags) - 1, int(round((len(lags) - 1) * p)))] * 1000 if lags else 0
    return {"batch": batch, "with": result, "deliveries": len(lags), "requests": receiver.requests - requests,
            "lagP50Ms": pick(0.5), "lagP99Ms": pick(0.99), "lagMaxMs": pick(1.0), "drainSeconds": drain}


def without_subscriptions(Server, wrk, store, ids, token, secs, log, flags, round_no):
    """P1 on a fresh copy of `store`, the webhook flags on, no subscriptions."""
    copy = store + "-webhooks-without"
    shutil.copytree(store, copy)
    srv = Server(copy, flags)
    time.sleep(1)
    log(f"P1 webhooks, round {round_no}: durable writes without subscriptions, {secs} s")
    result = wrk(srv.base, "write.lua", secs, BENCH_IDS=ids, BENCH_TOKEN=token)
    srv.stop()
    shutil.rmtree(copy, ignore_errors=True)
    return result


def measure(Server, wrk, store, ids, token, secs, log, subscriptions=10, rounds=3):
    """P1 without, then with `subscriptions` on a local receiver one event
    per request, then with batches of up to 100, in `rounds` paired rounds
    of `secs / 2` each (at least 5 s): the disk of these machines drifts by
    a third between runs a minute apart, so each round's rates are compared
    with the same round's rate without, and the median round's ratio is the
    figure. Each run on its own copy of the store (write.lua's status
    changes start from the statuses in `ids`, which a run moves on)."""
    with open(ids) as f:
        agendas = [line.split()[1] for line in f if line.startswith("agenda ")]
    flags = ["--webhooks-allow-http-loopback", "--webhooks-concurrency", "32"]
    per = max(5, secs // 2)
    out = []
    for k in range(1, rounds + 1):
        without = without_subscriptions(Server, wrk, store, ids, token, per, log, flags, k)
        runs = [with_subscriptions(Server, wrk, store, ids, token, per, log, agendas, subscriptions, b, flags)
                for b in (1, 100)]
        out.append({"without": without, "runs": runs})
    return {"subscriptions": subscriptions, "agendas": len(agendas), "secondsPerRun": per, "rounds": out}


def rows(r):
    """(measure, figure, target, ratio, ok) per batch size, for the report's
    table: the median of the rounds' ratios, the lags over all rounds."""
    rounds = r.get("rounds") or [{"without": r["without"], "runs": r.get("runs", [])}]
    out = []
    for i, first in enumerate(rounds[0]["runs"]):
        pairs = [(rd["runs"][i], rd["without"]) for rd in rounds]
        ratios = sorted((run["with"]["rate"] / wo["rate"] if wo["rate"] else 0.0, j)
                        for j, (run, wo) in enumerate(pairs))
        ratio, mid = ratios[len(ratios) // 2]
        run, wo = pairs[mid]
        errors = sum(run["with"]["errors"] for run, _ in pairs)
        requests = sum(run["requests"] for run, _ in pairs)
        deliveries = sum(run["deliveries"] for run, _ in pairs)
        lag = lambda key: max(run[key] for run, _ in pairs)
        p50 = sorted(run["lagP50Ms"] for run, _ in pairs)[len(pairs) // 2]
        mode = "one event per request" if first["batch"] == 1 else f"batchGrootte {first['batch']}"
        spread = ", ".join(f"{100 * x:.0f}%" for x, _ in sorted(ratios, key=lambda t: t[1]))
        figure = (f"median of {len(pairs)} paired rounds of {r.get('secondsPerRun', '?')} s: {run['with']['rate']:,.0f} "
                  f"writes/s with vs {wo['rate']:,.0f} without (each round: {spread}); {deliveries:,} events in "
                  f"{requests:,} requests, lag p50 {p50:,.0f} ms, p99 {lag('lagP99Ms'):,.0f} ms (worst round), "
                  f"drained {lag('drainSeconds'):.1f} s after the writes"
                  + (f"; {errors:,} errors/non-2xx" if errors else ""))
        out.append((f"durable HTTP writes with {r['subscriptions']} webhook subscriptions, {mode} (local receiver)",
                    figure, "≥ 90% of the rate without; lag p99 reported", f"{100 * ratio:.0f}%",
                    ratio >= 0.9 and not errors))
    return out


def section(r, command):
    table = "".join(f"| P1 | {measure} | {figure} | {target} | {ratio} | {'pass' if ok else 'FAIL'} |\n"
                    for measure, figure, target, ratio, ok in rows(r))
    return (f"<!-- webhooks:start -->\n## Webhook deliveries (issue 20)\n\n"
            f"`{command}` ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC). P1's writes on one "
            f"server, in paired rounds: without subscriptions, then with {r['subscriptions']} subscriptions (one per agenda of "
            f"the bench store, round robin over its {r['agendas']}) delivering to one local asyncio receiver on the "
            f"same 2 cores: once one event per request, once in CloudEvents batches of up to 100 "
            f"(`batchGrootte`), each on a fresh copy of the store. Lag: arrival at the receiver minus the event's recorded time (which precedes the "
            f"write's acknowledgement by its group's fsync, so this overstates the lag a little).\n\n"
            f"| id | measure | figure | target | ratio | result |\n| --- | --- | --- | --- | --- | --- |\n"
            f"{table}"
            f"<!-- webhooks:end -->\n")
