"""Webhook subscriptions tested as a subscriber would (scripts/webhook-test).

Receivers on 127.0.0.1 (http.server) verify every request with the Standard
Webhooks reference library and parse it with the CloudEvents SDK; what each
receives is compared with what the feed (GET /v1/gebeurtenissen) shows the
subscription's token, event by event (id, position, data).

Usage: subscriber.py BINARY ROUNDS
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cloudevents.core.bindings.http import HTTPMessage, from_structured_event
from standardwebhooks.webhooks import Webhook

binary, rounds = sys.argv[1], int(sys.argv[2])
work = tempfile.mkdtemp(prefix="mag-webhook-test.")
data_dir = os.path.join(work, "data")
checks = 0


def check(condition, what):
    global checks
    if not condition:
        sys.exit(f"webhook test: FAIL: {what}")
    checks += 1
    print(f"  ok  {what}", flush=True)


class Receiver:
    """One subscriber endpoint; `fail` answers 503 the next n requests, `down` always."""

    def __init__(self, name):
        self.name, self.got, self.fail, self.down, self.secret = name, [], 0, False, None
        self.requests = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                while receiver.secret is None:  # the POST's answer is on its way
                    time.sleep(0.01)
                with receiver.lock:
                    refuse = receiver.down or receiver.fail > 0
                    receiver.fail -= 1 if receiver.fail > 0 else 0
                    if not refuse:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        # raises on a wrong signature or an old timestamp
                        Webhook(receiver.secret).verify(body, headers)
                        receiver.requests += 1
                        if headers.get("content-type") == "application/cloudevents-batch+json":
                            # CloudEvents batch mode: the SDK reads each one
                            single = {"content-type": "application/cloudevents+json"}
                            receiver.got.extend(
                                from_structured_event(HTTPMessage(headers=single, body=json.dumps(e).encode()))
                                for e in json.loads(body))
                        else:
                            receiver.got.append(from_structured_event(HTTPMessage(headers=headers, body=body)))
                self.send_response(503 if refuse else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def positions(self):
        with self.lock:
            return [int(e.get_extension("sequence")) for e in self.got]


port = None
server = None


def start():
    global server, port
    port = free_port()
    log = open(os.path.join(work, "server.log"), "a")
    server = subprocess.Popen(
        [binary, "serve", "--data-dir", data_dir, "--bind", f"127.0.0.1:{port}", "--rate-limit", "0",
         "--webhooks-allow-http-loopback", "--webhooks-backoff-ms", "50", "--webhooks-backoff-max-ms", "200",
         "--webhooks-pause-failures", "5", "--webhooks-pause-after-secs", "1"],
        stdout=log, stderr=log)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/agendas", timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    sys.exit("webhook test: FAIL: the server did not start")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def call(method, path, token, body=None, headers=None):
    h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})}
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1{path}", data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), {k.lower(): v for k, v in e.headers.items()}


def feed(token, after, query=""):
    """What the feed shows `token` after `after`: [(position, event)]."""
    out = []
    while True:
        _, page, _ = call("GET", f"/gebeurtenissen?na={after}&pageSize=500{query}", token)
        out += [(e["positie"], e) for e in page["gebeurtenissen"]]
        if page["volgende"] >= page["laatstePositie"] or page["volgende"] == after:
            return out
        after = page["volgende"]


def wait_for(what, done, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        if done():
            return True
        time.sleep(0.05)
    sys.exit(f"webhook test: FAIL: waited {seconds} s for {what}")


def subscribe(token, receiver, **fields):
    status, body, headers = call("POST", "/abonnementen", token, {"callbackUrl": receiver.url, **fields})
    if status != 201:
        sys.exit(f"webhook test: FAIL: POST /abonnementen {status} {body}")
    receiver.secret = body["secret"]
    return body["id"], body["vanafPositie"]


def received_equals_feed(receiver, token, after, query="", what=""):
    """Every event the feed shows the token arrived, at least once, in order,
    with the feed's own data; nothing else arrived."""
    expected = feed(token, after, query)
    last = expected[-1][0] if expected else after
    wait_for(f"{receiver.name}: up to position {last}", lambda: last in receiver.positions())
    with receiver.lock:
        got = list(receiver.got)
    first, seen = [], set()
    for e in got:
        p = int(e.get_extension("sequence"))
        if p not in seen:
            check_order = not first or p > first[-1][0]
            if not check_order:
                sys.exit(f"webhook test: FAIL: {receiver.name}: position {p} after {first[-1][0]}")
            seen.add(p)
            first.append((p, e))
    check([p for p, _ in first] == [p for p, _ in expected],
          f"{receiver.name}: {len(expected)} events {what}, each at least once, in log order")
    same = all(e.get_id() == f["id"] and e.get_data() == f for (_, e), (_, f) in zip(first, expected))
    check(same, f"{receiver.name}: each CloudEvent's id and data are the feed's event")
    return expected


def token_create():
    out = subprocess.run([binary, "token", "create", "--data-dir", data_dir, "--rol", "beheerder",
                          "--organisatie", "Gemeente Twenterand"], capture_output=True, text=True, check=True)
    return next(w for w in out.stdout.split() if w.startswith("mag_"))


def new_token(beheerder, rol, organisatie, agendas=None):
    _, orgs, _ = call("GET", "/organisaties?pageSize=500", beheerder)
    org = next(o["id"] for o in orgs["resultaten"] if o["naam"] == organisatie)
    body = {"organisatieId": org, "rol": rol, "omschrijving": f"webhook-test {rol}"}
    if agendas:
        body["agendas"] = agendas
    status, t, _ = call("POST", "/tokens", beheerder, body)
    assert status == 201, t
    return t["token"]


def journey(pm, actie, n):
    """n status changes and voortgangsberichten on one actie, as the pm."""
    for i in range(n):
        _, a, _ = call("GET", f"/acties/{actie}", pm)
        status = "gepauzeerd" if a["status"] == "lopend" else "lopend"
        s, b, _ = call("POST", f"/acties/{actie}/statuswijzigingen", pm, {"status": status})
        assert s == 201, (s, b)
        s, b, _ = call("POST", f"/acties/{actie}/voortgangsberichten", pm, {"tekst": f"webhook-test {i}"})
        assert s == 201, (s, b)


def main():
    beheerder = token_create()
    start()
    print(f"webhook test: server on port {port}, data in {work}", flush=True)
    _, agendas, _ = call("GET", "/agendas", beheerder)
    agenda = agendas["resultaten"][0]["id"]
    pm = new_token(beheerder, "programmamanager", "Gemeente Twenterand", [agenda])
    partner = new_token(beheerder, "partner", "Taalpunt")
    _, acties, _ = call("GET", f"/agendas/{agenda}/acties?opgave=2.5", pm)
    actie = acties["resultaten"][0]["id"]

    # A scripted journey arrives, verified, in order; a receiver failing the
    # first 3 times gets everything afterwards in order.
    all_, failing, down, hidden = Receiver("all"), Receiver("failing"), Receiver("down"), Receiver("partner")
    batched = Receiver("batch")
    failing.fail = 3
    batched.fail = 2
    all_id, start_pos = subscribe(beheerder, all_)
    subscribe(beheerder, batched, batchGrootte=25, vanafPositie=max(0, start_pos - 40))
    subscribe(pm, failing, agenda=agenda, streamType="actie")
    down.down = True
    down_id, _ = subscribe(pm, down, agenda=agenda, type=["ActieStatusGewijzigd"])
    subscribe(partner, hidden)
    journey(pm, actie, 5)
    received_equals_feed(all_, beheerder, start_pos, what="of the journey")
    received_equals_feed(failing, pm, start_pos, f"&agenda={agenda}&streamType=actie", "after 3 refusals")
    batch_events = received_equals_feed(batched, beheerder, max(0, start_pos - 40),
                                        what="in CloudEvents batches, after 2 refusals")
    check(batched.requests < len(batch_events),
          f"batch: {len(batch_events)} events arrived in {batched.requests} verified requests")

    # Down long enough: paused with a reason; resumed: caught up.
    def paused():
        return call("GET", f"/abonnementen/{down_id}", pm)[1]["status"] == "gepauzeerd"
    wait_for("the pause of the receiver that is down", paused)
    _, sub, h = call("GET", f"/abonnementen/{down_id}", pm)
    check(sub["pauzeCode"] == "aflevering-mislukt" and "pogingen" in sub["pauzeReden"],
          f"down: paused with a reason: {sub['pauzeReden'][:70]}…")
    down.down = False
    s, _, _ = call("PATCH", f"/abonnementen/{down_id}", pm, {"status": "actief"}, {"If-Match": h["etag"]})
    check(s == 200, "down: resumed")
    received_equals_feed(down, pm, start_pos, f"&agenda={agenda}&type=ActieStatusGewijzigd", "after resuming")

    # A rewind redelivers.
    before = len(all_.positions())
    _, sub, h = call("GET", f"/abonnementen/{all_id}", beheerder)
    call("PATCH", f"/abonnementen/{all_id}", beheerder, {"vanafPositie": start_pos}, {"If-Match": h["etag"]})
    wait_for("the rewind", lambda: len(all_.positions()) >= 2 * before)
    check(all_.positions()[before:2 * before] == all_.positions()[:before], "all: a rewind redelivers, in order")

    # A partner never receives another agenda's hidden events.
    mark = "Zqxverborgen"
    status, hid, _ = call("POST", "/agendas", beheerder, {
        "naam": mark, "gemeenten": [mark], "periodeStartDatum": "2024-01-01",
        "periodeEindDatum": "2024-12-31", "gepubliceerd": False})
    assert status == 201, hid
    journey(pm, actie, 1)
    expected = received_equals_feed(hidden, partner, start_pos, what="(the partner's feed)")
    with hidden.lock:
        text = json.dumps([e.get_data() for e in hidden.got])
    check(mark not in text and "AbonnementAangemaakt" not in text and "TokenAangemaakt" not in text,
          f"partner: none of the hidden agenda's events (of {len(expected)} it may see)")

    # The receiver example of docs/notificaties.md, as printed there, works.
    docs = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "notificaties.md")).read()
    example = docs.split("```python\n", 1)[1].split("```", 1)[0]
    example_port = free_port()
    url = f"http://127.0.0.1:{example_port}/"
    status, sub, _ = call("POST", "/abonnementen", beheerder, {"callbackUrl": url, "type": ["ActieStatusGewijzigd"]})
    assert status == 201, sub
    code = example.replace('"whsec_…"', repr(sub["secret"])).replace("9000", str(example_port))
    proc = subprocess.Popen([sys.executable, "-u", "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    journey(pm, actie, 1)
    expected = feed(beheerder, sub["vanafPositie"], "&type=ActieStatusGewijzigd")
    line = proc.stdout.readline()
    proc.kill()
    check(line.startswith(f"{expected[0][0]} nl.mag-tracker.actie.status-gewijzigd"),
          f"the receiver of docs/notificaties.md verifies and prints: {line.strip()[:60]}…")

    # kill -9 mid-delivery, several rounds: every receiver ends with every
    # event it may see, at least once, in order.
    slow = Receiver("crash")
    subscribe(pm, slow, agenda=agenda)
    crash_start = feed(beheerder, 0)[-1][0]
    def write_until_killed():
        try:
            journey(pm, actie, 30)
        except Exception:
            pass  # the server was killed under it

    for r in range(rounds):
        writer = threading.Thread(target=write_until_killed)
        writer.start()
        time.sleep(random.uniform(0.2, 0.6))
        server.send_signal(signal.SIGKILL)
        server.wait()
        writer.join()
        print(f"  round {r + 1}: killed the server with {len(slow.positions())} deliveries received", flush=True)
        start()
    for rec, token, query in [(slow, pm, f"&agenda={agenda}"), (all_, beheerder, ""), (hidden, partner, ""),
                              (failing, pm, f"&agenda={agenda}&streamType=actie"), (batched, beheerder, "")]:
        after = start_pos
        if rec is slow:
            after = crash_start
        if rec is batched:
            after = max(0, start_pos - 40)
        # a rewound receiver got everything twice; compare its last run
        if rec is all_:
            with rec.lock:
                rec.got = rec.got[before:]
        received_equals_feed(rec, token, after, query, f"after {rounds} kill -9 rounds")
    # The cursor is written before the next request: a kill -9 repeats at
    # most the one request that was in flight (or just acknowledged).
    for rec in (slow, hidden, failing):
        p = rec.positions()
        check(len(p) - len(set(p)) <= rounds,
              f"{rec.name}: {len(p) - len(set(p))} repeated deliveries over {rounds} kill -9 rounds (at most 1 each)")
    server.send_signal(signal.SIGTERM)
    server.wait()
    print(f"webhook test: {checks} checks passed", flush=True)


try:
    main()
    shutil.rmtree(work, ignore_errors=True)
finally:
    if server and server.poll() is None:
        server.kill()
