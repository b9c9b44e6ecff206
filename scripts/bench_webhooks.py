"""Issue 20's bench row (imported by scripts/bench): P1's durable writes
with 10 webhook subscriptions delivering to a local receiver vs without, and
the delivery lag.

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

TIME = re.compile(rb'"time":"([^"]+)"')


class Receiver:
    def __init__(self):
        self.lags = []  # seconds
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
                m = TIME.search(body)
                if m:
                    recorded = datetime.datetime.fromisoformat(m.group(1).decode().replace("Z", "+00:00"))
                    self.lags.append(now - recorded.timestamp())
                self.last_arrival = now
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def subscribe(base, token, url, agenda):
    body = json.dumps({"callbackUrl": url, "agenda": agenda, "omschrijving": "scripts/bench"}).encode()
    req = urllib.request.Request(base + "/v1/abonnementen", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 201


def measure(Server, wrk, store, ids, token, secs, log, subscriptions=10):
    """P1 without and with `subscriptions` on a local receiver, on one server."""
    with open(ids) as f:
        agendas = [line.split()[1] for line in f if line.startswith("agenda ")]
    receiver = Receiver()
    # Each run on its own copy of the store: write.lua's status changes
    # start from the statuses in `ids`, which a first run has moved on.
    first, copy = store + "-webhooks-without", store + "-webhooks-with"
    shutil.copytree(store, first)
    shutil.copytree(store, copy)
    flags = ["--webhooks-allow-http-loopback", "--webhooks-concurrency", "32"]
    srv = Server(first, flags)
    time.sleep(1)
    log(f"P1 webhooks: durable writes without subscriptions, {secs} s")
    without = wrk(srv.base, "write.lua", secs, BENCH_IDS=ids, BENCH_TOKEN=token)
    srv.stop()
    shutil.rmtree(first, ignore_errors=True)
    srv = Server(copy, flags)
    time.sleep(1)
    for i in range(subscriptions):
        subscribe(srv.base, token, receiver.url, agendas[i % len(agendas)])
    time.sleep(1)
    log(f"P1 webhooks: durable writes with {subscriptions} subscriptions ({len(agendas)} agendas), {secs} s")
    before = len(receiver.lags)
    with_subs = wrk(srv.base, "write.lua", secs, BENCH_IDS=ids, BENCH_TOKEN=token)
    ended = time.time()
    # until the receiver has had nothing for 3 s (at most 10 min)
    while time.time() - max(receiver.last_arrival, ended) < 3 and time.time() - ended < 600:
        time.sleep(0.2)
    drain = max(0.0, receiver.last_arrival - ended)
    srv.stop()
    shutil.rmtree(copy, ignore_errors=True)
    lags = sorted(receiver.lags[before:])
    pick = lambda p: lags[min(len(lags) - 1, int(round((len(lags) - 1) * p)))] * 1000 if lags else 0
    return {"subscriptions": subscriptions, "agendas": len(agendas), "without": without, "with": with_subs,
            "deliveries": len(lags), "lagP50Ms": pick(0.5), "lagP99Ms": pick(0.99), "lagMaxMs": pick(1.0),
            "drainSeconds": drain}


def row(r):
    """(measure, figure, target, ratio, ok) for the report's table."""
    w, wo = r["with"], r["without"]
    ratio = w["rate"] / wo["rate"] if wo["rate"] else 0
    errors = f"; {w['errors']:,} errors/non-2xx" if w["errors"] else ""
    figure = (f"{w['rate']:,.0f} writes/s with vs {wo['rate']:,.0f} without; {r['deliveries']:,} deliveries, "
              f"lag p50 {r['lagP50Ms']:,.0f} ms, p99 {r['lagP99Ms']:,.0f} ms, drained {r['drainSeconds']:.1f} s "
              f"after the writes{errors}")
    return (f"durable HTTP writes with {r['subscriptions']} webhook subscriptions (local receiver)", figure,
            "≥ 90% of the rate without; lag p99 reported", f"{100 * ratio:.0f}%", ratio >= 0.9 and not w["errors"])


def section(r, command):
    measure, figure, target, ratio, ok = row(r)
    return (f"<!-- webhooks:start -->\n## Webhook deliveries (issue 20)\n\n"
            f"`{command}` ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC). P1's writes on one "
            f"server, first without subscriptions, then with {r['subscriptions']} subscriptions (one per agenda of "
            f"the bench store, round robin over its {r['agendas']}) delivering to one local asyncio receiver on the "
            f"same 2 cores. Lag: arrival at the receiver minus the event's recorded time (which precedes the "
            f"write's acknowledgement by its group's fsync, so this overstates the lag a little).\n\n"
            f"| id | measure | figure | target | ratio | result |\n| --- | --- | --- | --- | --- | --- |\n"
            f"| P1 | {measure} | {figure} | {target} | {ratio} | {'pass' if ok else 'FAIL'} |\n"
            f"<!-- webhooks:end -->\n")
