"""Turns the results of scripts/bench into its table and docs/performance-http.md."""

import datetime
import re
import os
import platform
import subprocess

MB = 1024 * 1024
TEN_M = 10_000_000


def n(x):
    return f"{x:,.0f}"


def ms(us):
    return f"{us / 1000:.2f} ms"


def pct(x):
    return f"{100 * x:.0f}%"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    disk = subprocess.run(["df", "-T", "/tmp"], capture_output=True, text=True).stdout.splitlines()[-1].split()
    return (f"{os.cpu_count()} cores ({cpu}), {mem / 1024 ** 3:.1f} GiB RAM, Linux {platform.release()}",
            f"{disk[1]} on {disk[0]} (temporary directories under /tmp, the same disk for mag-tracker and PostgreSQL)")


def tool_version(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return (r.stdout + r.stderr).strip().splitlines()[0] if (r.stdout + r.stderr).strip() else "?"


def site_rows(r, c):
    """P7 (issue 19): the public site's agenda page, an HTML page of ~100 KB, against hello world."""
    if "site_demo" not in r and "site_big" not in r:
        return [("P7", "GET /agendas/{id} (HTML page) vs hello world", r.get("site_note", "not run"),
                 "≥ 40% of hello", "–", None)]
    out = []
    for key, hello_key, what in (("site_demo", "site_hello", "of the Twenterand demo agenda (store: the demo only)"),
                                 ("site_big", "hello", f"of the agendas of the {c['head']:,}-event store")):
        if key not in r:
            continue
        s, hello = r[key], r[hello_key]["rate"]
        err = f"; {n(s['errors'])} errors/non-2xx" if s["errors"] else ""
        cold = (f"; first render of each of the {s['pages']} pages {s['coldP50Ms']:.1f} ms (p50), "
                f"{s['coldMaxMs']:.1f} ms (max)" if "coldP50Ms" in s else "")
        out.append(("P7", f"GET /agendas/{{id}} (HTML page, {s['bytes'] / 1024:.0f} KiB) {what}, "
                          f"{s['connections']} connections, vs hello world on the same server",
                    f"{n(s['rate'])} req/s (p50 {ms(s['p50Us'])}, p99 {ms(s['p99Us'])}) vs {n(hello)} req/s{err}{cold}",
                    "≥ 40% of hello", pct(s["rate"] / hello), s["rate"] / hello >= 0.4 and not s["errors"]))
    return out


def site_table(r, c):
    """The P7 rows alone, as `scripts/bench --only site` prints them."""
    rows = site_rows(r, c)
    return "\n".join("  ".join(str(x) for x in row[:5]) + "  " + ("n/a" if row[5] is None else
                                                                 ("PASS" if row[5] else "BELOW")) for row in rows)


def report(r, c):
    rows = []  # (id, measure, figure, target, ratio, result)
    notes = []

    def row(id_, measure, figure, target, ratio, ok):
        rows.append((id_, measure, figure, target, ratio, ok))

    raw = r["raw"]["eventsPerSecond"]
    w = r["writes"]
    w_err = f"; {n(w['errors'])} errors/non-2xx" if w["errors"] else ""
    row("P1", f"durable HTTP writes, {c['connections']} connections",
        f"{n(w['rate'])} writes/s (p50 {ms(w['p50Us'])}, p99 {ms(w['p99Us'])}){w_err}",
        f"≥ 60% of the raw sled group-commit ceiling, {c['connections']} writer threads ({n(raw)} events/s)",
        pct(w["rate"] / raw),
        w["rate"] / raw >= 0.6 and not w["errors"])
    row("P1", "durable HTTP writes, p99 latency", ms(w["p99Us"]), "< 20 ms", pct(w["p99Us"] / 20000) + " of budget",
        w["p99Us"] < 20000)

    if "webhooks" in r:
        from bench_webhooks import rows as webhook_rows
        for w_row in webhook_rows(r["webhooks"]):
            row("P1", *w_row)

    if "pg" in r:
        pg = r["pg"]
        row("P2", "HTTP writes vs PostgreSQL events table (pgbench)",
            f"{n(w['rate'])}/s vs {n(pg['tps'])}/s (PG p50 {pg['p50Ms']:.2f} ms, p99 {pg['p99Ms']:.2f} ms)",
            "≥ 3× PostgreSQL", f"{w['rate'] / pg['tps']:.2f}×", w["rate"] / pg["tps"] >= 3)
    else:
        row("P2", "HTTP writes vs PostgreSQL", r.get("pg_note", "not run"), "≥ 3×", "–", None)
    if "pg_store" in r and "pg" in r:
        import bench_pg  # the PostgreSQL store's P1 rows (issue 21)
        for measure, figure, ratio in bench_pg.rows(r["pg_store"], r["pg"])[1:3]:
            row("P1-PG", measure, figure, "reported against pgbench (same run)", ratio, None)

    hello = r["hello"]["rate"]
    if "pdca" in r:
        p = r["pdca"]
        row("P3", "GET /v1/opgaven/{id}/pdca vs hello world",
            f"{n(p['rate'])} req/s (p99 {ms(p['p99Us'])}) vs {n(hello)} req/s", "≥ 60% of hello",
            pct(p["rate"] / hello), p["rate"] / hello >= 0.6 and not p["errors"])
    else:
        row("P3", "GET /v1/opgaven/{id}/pdca vs hello world", "not available yet (the endpoint answers 404)",
            "≥ 60% of hello", "–", None)
    a = r["actie"]
    row("P3", "GET /v1/acties/{id} vs hello world", f"{n(a['rate'])} req/s (p99 {ms(a['p99Us'])}) vs {n(hello)} req/s",
        "≥ 60% of hello", pct(a["rate"] / hello), a["rate"] / hello >= 0.6 and not a["errors"])
    o = r["opgave"]
    row("P3+", "GET /v1/opgaven/{id} vs hello world (no target; for reference)",
        f"{n(o['rate'])} req/s (p99 {ms(o['p99Us'])})", "–", pct(o["rate"] / hello), None)

    for x in site_rows(r, c):
        row(*x)

    rp = r["replay"]
    row("P4", "rebuild of all projections from the log", f"{n(rp['eventsPerSecond'])} events/s ({rp['events']:,} events in {rp['replaySeconds']:.2f} s)",
        "≥ 1,000,000 events/s", pct(rp["eventsPerSecond"] / 1e6), rp["eventsPerSecond"] >= 1e6)
    head = c["head"]
    e0, e1, es = r["empty"], r["cold"], r["small"]
    span = max(1, head - es["events"])

    def at_10m(key, big=e1, small=es):
        return big[key] + max(0.0, (big[key] - small[key]) / span) * (TEN_M - head)

    cold10 = at_10m("startSeconds")
    row("P4", "cold start of serve (until the port answers), from its read-model snapshot",
        f"{e1['startSeconds']:.2f} s at {head:,} events → {cold10:.1f} s at 10M (linear)",
        "< 10 s at 10M", pct(cold10 / 10) + " of budget", cold10 < 10)
    if "cold_replay" in r:
        er, esr = r["cold_replay"], r["small_replay"]
        replay10 = at_10m("startSeconds", er, esr)
        row("P4+", "cold start without a usable snapshot (first start of a new build): whole log replayed",
            f"{er['startSeconds']:.2f} s at {head:,} events → {replay10:.1f} s at 10M (linear)",
            "– (reference)", pct(replay10 / 10) + " of budget", None)

    if "asof" in r:
        s = r["asof"]
        row("P5", f"as-of read {s['path']}?positie=, {s['connections']} connections",
            f"p99 {ms(s['p99Us'])} (p50 {ms(s['p50Us'])}, {n(s['rate'])} req/s)" + (f"; {n(s['errors'])} errors" if s["errors"] else ""),
            "p99 < 50 ms", pct(s["p99Us"] / 50000) + " of budget", s["p99Us"] < 50000 and not s["errors"])
    else:
        row("P5", "as-of read of an opgave's PDCA state", r.get("asof_note", "not run"), "p99 < 50 ms", "–", None)

    # Both the read model and what sled holds after opening the store grow
    # with the log (sled's open state by ~120 bytes per event whatever its
    # cache capacity), so: linear through the two stores.
    rss10 = at_10m("VmRSS")
    hwm10 = at_10m("VmHWM")
    row("P6", "resident memory of serve after loading",
        f"{e1['VmRSS'] / MB:.0f} MB at {head:,} events (peak {e1['VmHWM'] / MB:.0f} MB) → {rss10 / MB:.0f} MB at 10M (peak {hwm10 / MB:.0f} MB)",
        "< 300 MB at 10M", pct(rss10 / (300 * MB)) + " of budget", rss10 < 300 * MB)

    def verdict(ok):
        return "n/a" if ok is None else ("PASS" if ok else "BELOW")

    widths = [max(len(str(x[i])) for x in rows + [("id", "measure", "figure", "target", "ratio", "")]) for i in range(5)]
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(("id", "measure", "figure", "target", "ratio"))) + "  result"]
    for x in rows:
        lines.append("  ".join(str(x[i]).ljust(widths[i]) for i in range(5)) + "  " + verdict(x[5]))
    table = "\n".join(lines)

    md_table = ["| id | measure | figure | target | ratio | result |", "|---|---|---|---|---:|---|"]
    for x in rows:
        md_table.append(f"| {x[0]} | {x[1]} | {x[2]} | {x[3]} | {x[4]} | {verdict(x[5])} |")

    box, disk = machine()
    d = r["data"]
    pg = r.get("pg")
    date = c.get("date") or datetime.datetime.now(datetime.timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")
    out = []
    out.append("# HTTP and system benchmarks\n")
    out.append("Generated by `scripts/bench` (issue 8, P1–P6); rerun it to refresh this page (a `--quick` run only "
               "prints, unless `--write` is given). The event store's own figures are in "
               "[performance.md](performance.md). Every comparison is a ratio of two figures measured in the same "
               "run, because this shared 2-core machine is noisy.\n")
    out.append("## Setup\n")
    out.append(f"- machine: {box}")
    out.append(f"- disk: {disk}")
    out.append(f"- date: {date}; whole run {r['totalSeconds'] / 60:.1f} min; load average (1 min) "
               f"{r['load'][0]:.1f} at the start, {r['load'][1]:.1f} at the end (other work on the machine)")
    out.append(f"- command: `{c['command']}` (binary `{c['binary']}`, release build)")
    out.append(f"- server: `mag-tracker serve --no-demo` (built with `--features bench-endpoints`) on 127.0.0.1, default durability "
               "(**fsync**: sled flush + fdatasync before a write is acknowledged), `RUST_LOG=warn`, `MAG_RATE_LIMIT=0` "
               "(no per-client rate limit)")
    wrk_version = re.sub(r"^wrk (?:debian/)?([\w.]+).*", r"wrk \1", tool_version(['wrk', '--version']))
    out.append(f"- load generator: {wrk_version} with the Lua scripts in `scripts/bench-lua/`, "
               f"{c['connections']} connections on {c['wrk_threads']} threads, sharing the 2 cores with the server; "
               "latencies are wrk's (send to last byte), not corrected for coordinated omission")
    out.append(f"- write token: {c['token']}")
    out.append(f"- data (`mag-tracker bench-data`): {d['events']:,} events: {d['agendas']} agendas shaped like "
               f"Twenterand's (the demo file imported under other names), {d['opgaven']:,} opgaven, "
               f"{d['acties']:,} acties, {d['indicatoren']:,} indicatoren, {d['reflecties']:,} reflecties, and "
               f"voortgangsberichten, status changes and metingen between the imports; generated in "
               f"{d['seconds']:.1f} s (batched appends, flush durability)")
    out.append("")
    out.append("## Results\n")
    out.append("\n".join(md_table))
    out.append("\n\"ratio\" is the same-run comparison where the target is one (P1 rate, P2, P3), otherwise the share "
               "of the budget used (below 100% meets it). Cold start at 10M is extrapolated linearly through two stores "
               f"of the same shape measured in this run ({es['events']:,} and {head:,} events), and so is memory at 10M (both "
               "the read model and sled's state once the store is open grow with the log).\n")

    out.append("## Details\n")
    out.append(f"- **Raw ceiling** (`mag-tracker bench-raw --threads {c['connections']} --group 1`, table 1a in "
               f"performance.md, the group-commit ceiling as issue 3 defines it): {c['connections']} writer threads, "
               f"each committing one 250-byte value as a group (apply_batch) with flush + fdatasync before its next; sled makes the groups "
               f"of concurrent writers durable together. {n(raw)} events/s, the mean of "
               f"{n(r['raw_before']['eventsPerSecond'])} right before P1 (server idle) and "
               f"{n(r['raw_after']['eventsPerSecond'])} right after it (server stopped); per insert p50 "
               f"{r['raw']['commitP50Ms']:.2f} ms, p99 {r['raw']['commitP99Ms']:.2f} ms, {c['raw_secs']} s each.")
    if "batch" in r:
        b = r["batch"]
        out.append(f"- **Batch bound** (`mag-tracker bench-raw --threads 1 --group 64`, table 1b): one writer that "
                   f"already holds 64 events per commit: {n(b['eventsPerSecond'])} events/s (commit p50 "
                   f"{b['commitP50Ms']:.2f} ms). No workload of independent clients batches this perfectly; HTTP "
                   f"writes reach {pct(w['rate'] / b['eventsPerSecond'])} of it.")
    out.append(f"- **P1**: {c['write_secs']} s of `POST /v1/acties/{{id}}/voortgangsberichten` and "
               f"`POST /v1/acties/{{id}}/statuswijzigingen` alternating on every open actie of the store "
               f"(each wrk thread owns half of them), {n(w['requests'])} requests, {n(w['errors'])} errors or non-2xx; "
               f"p50 {ms(w['p50Us'])}, p90 {ms(w['p90Us'])}, p99 {ms(w['p99Us'])}, max {ms(w['maxUs'])}.")
    if pg:
        out.append(f"- **P2**: PostgreSQL {pg['version']} in a temporary cluster (`initdb`, default settings, "
                   f"synchronous_commit={pg['synchronousCommit']}, fsync={pg['fsync']}, wal_sync_method={pg['walSyncMethod']}), "
                   f"an `events` table (position bigserial, event_id uuid unique, unique (stream_id, version), jsonb "
                   f"data and metadata of the same size as mag-tracker's) prefilled with {pg['prefill']:,} rows; "
                   f"`pgbench -c {c['connections']} -j {c['wrk_threads']} -T {c['pg_secs']} -M prepared` with two "
                   "scripts (a voortgangsbericht and a status change), each one `INSERT … SELECT max(version)+1` on a "
                   f"stream the client owns (the unique index is the expected-version check); {n(pg['tps'])} "
                   f"inserts/s, {pg['failed']} failed, latency p50 {pg['p50Ms']:.2f} ms, p99 {pg['p99Ms']:.2f} ms. "
                   "pgbench is a C client on the same cores; mag-tracker's figure includes HTTP, JSON validation, "
                   "the domain decision and the projection update.")
    out.append(f"- **P3**: {c['read_secs']} s per endpoint, ids round-robin over all opgaven/acties, anonymous, "
               f"the same Lua request builder for every endpoint; hello world {n(hello)} req/s "
               f"(p99 {ms(r['hello']['p99Us'])}). `/bench/hello` passes the same middleware as the API.")
    if "site_demo" in r or "site_big" in r:
        out.append(f"- **P7**: {c['read_secs']} s per row, anonymous, `Accept: text/html`, the same Lua request "
                   "builder as P3 (no `If-None-Match`, so every answer is the whole page). "
                   "The demo row runs on a server of its own (a store with only the Twenterand demo) with its own "
                   "hello world measured right before it; the bench-store row cycles through all agendas of the "
                   "store on P3's server, against P3's hello world. A page is rendered from the read model on its "
                   "first request and then kept while the log does not move (`SiteCache`, docs/site.md); the "
                   "bench-store row first requests every agenda page once, one at a time, and reports those first "
                   "renders apart, so the run measures the kept pages as a visitor after the first sees them.")
    out.append(f"- **P4**: `mag-tracker bench-replay` rebuilds the read model from the log as startup does "
               f"({rp['replaySeconds']:.2f} s), then scans the log decoding only the envelopes "
               f"({rp['scanSeconds']:.2f} s, {n(rp['scanEventsPerSecond'])} events/s)"
               + (f". The replay's stages one at a time, one thread each: sled's scan of the stored records "
                  f"{n(rp['rawScanEventsPerSecond'])} events/s ({rp['storedBytes'] / max(1, head):.0f} bytes per "
                  f"event), the same plus decoding {n(rp['decodeEventsPerSecond'])} events/s, applying the decoded "
                  f"events to an empty model {n(rp['applyEventsPerSecond'])} events/s "
                  f"({1e6 / rp['applyEventsPerSecond']:.2f} µs per event)" if "applyEventsPerSecond" in rp else "")
               + ". Cold start: from spawning "
               f"`serve` until `GET /bench/hello` answers: {e1['startSeconds']:.2f} s with {head:,} events, "
               f"{es['startSeconds']:.2f} s with {es['events']:,}, {e0['startSeconds']:.2f} s on an empty store, "
               "each after a graceful stop (SIGTERM) that left a read-model snapshot"
               + (f" ({r['snapshot_bytes'] / MB:.0f} MB at {head:,} events)" if "snapshot_bytes" in r else "")
               + "; the server loads it and replays the log after it (nothing, here). The first start on each store "
               "has no snapshot and replays the whole log"
               + (f": {r['cold_replay']['startSeconds']:.2f} s and {r['small_replay']['startSeconds']:.2f} s"
                  if "cold_replay" in r else "")
               + ". After a crash a start replays the events since the last snapshot (written in the background "
               "every 100,000 events and at least a tenth of the log).")
    if "asof" in r:
        s = r["asof"]
        out.append(f"- **P5**: {c['asof_secs']} s, {s['connections']} connections, opgaven of the first agenda, "
                   f"positions uniform in [{max(1, head // 100):,}, {head:,}]; {n(s['requests'])} requests, "
                   f"p50 {ms(s['p50Us'])}, p99 {ms(s['p99Us'])}, max {ms(s['maxUs'])}."
                   + (f" Measured after a 3 s warm-up with the same requests (first reads of each opgave fill the "
                      f"stream cache): {n(r['asof_warmup']['requests'])} requests, p50 "
                      f"{ms(r['asof_warmup']['p50Us'])}, p99 {ms(r['asof_warmup']['p99Us'])}, max "
                      f"{ms(r['asof_warmup']['maxUs'])}." if "asof_warmup" in r else ""))
    else:
        out.append(f"- **P5**: {r.get('asof_note', 'not run')}. The script probes `?positie=1` (before the opgave "
                   "existed) against `?positie=<head>` and measures once the answers differ.")
    a2 = r.get("after", {})
    out.append(f"- **P6**: VmRSS/VmHWM from `/proc/<pid>/status`, 1 s after the port answered: empty store "
               f"{e0['VmRSS'] / MB:.0f} MB (peak {e0['VmHWM'] / MB:.0f} MB), {es['events']:,} events "
               f"{es['VmRSS'] / MB:.0f} MB (peak {es['VmHWM'] / MB:.0f} MB), {head:,} events {e1['VmRSS'] / MB:.0f} MB "
               f"(peak {e1['VmHWM'] / MB:.0f} MB)"
               + (f"; after the P3/P5 reads {r['after_reads']['VmRSS'] / MB:.0f} MB" if "after_reads" in r else "")
               + f"; after P1's writes (on a restarted server) {a2.get('VmRSS', 0) / MB:.0f} MB "
               f"(peak {a2.get('VmHWM', 0) / MB:.0f} MB). The servers measured loaded their read-model snapshot, so "
               "the figure is the read model plus what sled holds once the store is open. Both grow with the log, "
               "so the 10M figure is linear through the two stores. sled's part: "
               f"{rp.get('rssOpen', 0) / MB:.0f} MB right after opening this store in `bench-replay`; measured "
               "separately it grows by ~120 bytes per event (16 MB at 100k, 39 MB at 300k, 122 MB at 1M events) and "
               "does not shrink with a smaller `cache_capacity` (16, 64 and 128 MiB gave the same). The read model "
               f"rebuilt by a replay takes {rp['modelBytes'] / MB:.0f} MB for {rp['events']:,} events "
               "(`bench-replay`: resident memory after the rebuild minus after a plain scan); read from a snapshot "
               "it is smaller (no spare capacity in its vectors and maps).")
    out.append("")
    out.append("## Reading\n")
    out.append(reading(r, c, raw, w, pg, hello, rp, e0, e1, cold10, rss10, head))
    out.append("")
    out.append(PROFILE_NOTES)
    return "\n".join(out) + "\n", table


# Not measured by every run: what brief perf profiles showed (kept here so
# the page says where the time goes; redo them when the code changes).
PROFILE_NOTES = """## Where the time goes (perf profiles and code reading, 23 Nov 2026)

- **Rebuild (P4)**: each stored event is decoded once (a borrowed envelope, its data as raw
  JSON straight into the event struct its type names), reading and applying on two threads.
  `bench-replay` splits the stages (3 Dec, 1M events): sled's scan of the stored records alone
  ~1.8 µs per event (~490-560k/s: the 780 MB log does not fit sled's 128 MiB cache, so every page
  is read and parsed again; at 100k events, in cache, 0.5 µs), scan plus decoding ~4.6 µs,
  applying already-decoded events ~1.7 µs (0.67 µs at 100k events: the model's maps are larger
  than the CPU caches at 1M). The decoding is JSON: a perf profile spreads it over serde_json's
  string parsing, allocation, chrono's and uuid's parsers, no single hot spot. On 2 cores, 1M
  events/s allows 2 µs of CPU per event; scan plus apply alone take ~3.5 µs. `examples/sled_layout.rs`
  shows the scan is sled's byte rate, not our keys: 1M plain 780-byte values scan at ~520k/s in a
  fresh process with one key each and ~585k/s packed 64 to a key (~400-450 MB/s either way). So
  1M events/s would need records under ~400 bytes (a binary log instead of the self-describing
  JSON records the upcasters and `export-events` work on, docs/events.md), decoding in a fraction
  of a µs *and* applying at twice today's speed. Startup avoids the question with the read-model
  snapshot.
- **Cold start (P4)** loads the read-model snapshot (`data/read-model.snapshot`, postcard, ~150 MB
  per 1M events; ~0.4 s per 1M events: decoding, mostly allocating the model's maps, strings and
  vectors, with the SHA-256 check on the second core; instants and dates are stored as numbers,
  since parsing chrono's text form took a quarter of the load) and replays the events after it. Without a
  usable snapshot (a new build, a damaged file) it is the full rebuild above.
- **Writes (P1)**, 300k-event store, wrk on the same 2 cores: the actix worker ~41% of the server's
  samples, the store's writer thread ~28% (of which sled's `apply_batch` ~18 points), sled's I/O
  threads ~22% (mostly kernel), the flusher ~6%. Route matching (`regex_lite`, ~10% before) is gone
  since the routes are a tree of scopes. Against PostgreSQL (P2): 3× its rate would be ~50k
  durable writes/s; raw sled writing the store's records (envelope + two index keys) in perfect
  batches of 64 reaches ~33k/s on this machine (performance.md, table 5) before any HTTP, JSON or
  projection work, so the target is out of reach with this record shape on sled.
  P1's p99 varies widely between runs on this shared VM: 14.8, 21.4 and 16.4 ms in three full
  runs on 3 Dec, and 15-164 ms in 20 s reruns on a 1.2M-event store; the outliers are stalls of
  the whole server that we did not trace. A background snapshot falling in the window was a
  suspect, but running its encoder at nice 19 made no consistent difference (18-36 ms against
  15-164 ms at normal priority, three runs each), so that change was not kept.
- **Reads (P3)**: the PDCA body is cached per opgave and invalidated by the events that can change
  it; the body of `GET /v1/acties/{id}` likewise per actie (keyed by its version and the last
  position of the opgave, doel and organisaties it shows). What remains above hello world is the
  path lookup, the cache lock and the response headers, plus kernel context switches; the ratio
  swings by ±10 points between runs on this shared VM.
- **As-of reads (P5)**: one opgave's streams only, applied to an empty model; the stream cache
  keeps them decoded. The first read of an opgave reads its streams from sled (the warm-up row).
- **Memory (P6)**: two parts grow linearly with the log. sled 0.34, once it has opened the store,
  holds ~120 bytes per stored event (16 MB at 100k, 39 MB at 300k, 122 MB at 1M events) whatever
  its `cache_capacity` (16, 64 and 128 MiB measured the same): ~1.2 GB at 10M before any read
  model, so < 300 MB at 10M is out of reach on sled with this log. `examples/sled_layout.rs`
  puts it at ~36 bytes per key (36 MB after opening 1M keys, 4 MB for the same bytes in 15,625
  keys); the store writes three keys per event (the envelope and two index entries). The read model holds every
  event's content (voortgangsberichten, metingen, reflecties with their texts); keeping the texts
  in the log (read on demand) would take roughly a third off it.
"""


def reading(r, c, raw, w, pg, hello, rp, e0, e1, cold10, rss10, head):
    p = []
    p.append(f"- **Writes.** Durable HTTP writes reach {n(w['rate'])}/s, {pct(w['rate'] / raw)} of the raw sled "
             f"group-commit ceiling measured in the same run ({n(raw)} events/s for {c['connections']} writer threads "
             "committing one value each). The ceiling writes one 250-byte value per event; a write through the API also "
             "validates the JSON, decides on the "
             "read model, writes a ~800-byte envelope plus two index keys, fsyncs, updates the projection and "
             "renders the response, all on the same two cores as wrk (see performance.md, table 5, for how much of "
             "the raw ceiling the store's record shape alone leaves)."
             + (f" p99 is {ms(w['p99Us'])}." if w["p99Us"] < 20000 else f" p99 is {ms(w['p99Us'])}, above 20 ms."))
    if pg:
        p.append(f"- **Against PostgreSQL** mag-tracker does {w['rate'] / pg['tps']:.2f}× the inserts per second "
                 f"of the same workload on an events table ({n(pg['tps'])}/s), with the same durability (fsync'd "
                 "commit) on the same disk.")
    if "pdca" in r:
        p.append(f"- **Reads.** The PDCA state of an opgave serves {n(r['pdca']['rate'])} req/s, "
                 f"{pct(r['pdca']['rate'] / hello)} of hello world; an actie {n(r['actie']['rate'])} req/s "
                 f"({pct(r['actie']['rate'] / hello)}).")
    else:
        p.append(f"- **Reads.** An actie serves {n(r['actie']['rate'])} req/s, {pct(r['actie']['rate'] / hello)} of "
                 f"hello world ({n(hello)} req/s); the PDCA endpoint is not in this build.")
    if "applyEventsPerSecond" in rp:
        read_us, apply_us = 1e6 / rp["decodeEventsPerSecond"], 1e6 / rp["applyEventsPerSecond"]
        scan_us = 1e6 / rp["rawScanEventsPerSecond"]
        stages = (f"measured one at a time, an event costs {read_us:.2f} µs to read and decode (of which sled's scan "
                  f"of the stored record {scan_us:.2f} µs) and {apply_us:.2f} µs to apply, {read_us + apply_us:.2f} µs "
                  "of CPU in all, which the two-thread pipeline overlaps. 1M events/s on these 2 cores allows 2 µs of "
                  f"CPU per event; sled's scan and applying alone already take {scan_us + apply_us:.2f} µs, before any "
                  "decoding")
    else:
        stages = (f"reading and decoding the envelopes alone runs at {n(rp['scanEventsPerSecond'])} events/s")
    p.append(f"- **Rebuild and cold start.** The rebuild runs at {n(rp['eventsPerSecond'])} events/s; {stages} "
             f"(see the profile below). A start from the read-model snapshot takes {e1['startSeconds']:.2f} s for "
             f"{head:,} events, {cold10:.1f} s extrapolated to 10M"
             + (f"; a start that must replay the whole log (no usable snapshot) {r['cold_replay']['startSeconds']:.2f} s."
                if "cold_replay" in r else "."))
    if "asof" in r:
        p.append(f"- **As-of reads** take p99 {ms(r['asof']['p99Us'])} on the {head:,}-event store.")
    per_event = rp["modelBytes"] / max(1, rp["events"])
    p.append(f"- **Memory.** {e1['VmRSS'] / MB:.0f} MB resident with {head:,} events loaded from the snapshot "
             f"(empty server: {e0['VmRSS'] / MB:.0f} MB), {rss10 / MB:.0f} MB extrapolated to 10M. Two parts grow "
             f"with the log: sled's state once the store is open ({rp.get('rssOpen', 0) / MB:.0f} MB here, ~120 bytes "
             "per event, whatever its cache capacity: ~1.2 GB at 10M on its own, four times the target), and the "
             f"read model (up to {per_event:.0f} bytes per event), which keeps every voortgangsbericht, meting and "
             "reflectie, texts included, in memory"
             + (f"; {r['after_reads']['VmRSS'] / MB:.0f} MB after the P3/P5 reads." if "after_reads" in r else "."))
    a2 = r.get("after")
    if a2:
        writes = r["writes"]["requests"]
        p.append(f"- **Memory under load.** After P1's writes (on a server restarted for them) it held "
                 f"{a2['VmRSS'] / MB:.0f} MB, {(a2['VmRSS'] - e1['VmRSS']) / MB:.0f} MB more than after loading, for "
                 f"{writes:,} writes ({(a2['VmRSS'] - e1['VmRSS']) / max(1, writes):.0f} bytes per write). A longer "
                 "run on a 300k-event store (23 Nov) levelled off: +330 MB after the first 241k writes, +59 MB over the "
                 "next 315k, about what their voortgangsberichten take in the read model; the first jump is caches "
                 "filling (sled's page cache up to 128 MiB, allocator arenas), not a leak.")
    return "\n".join(p)
