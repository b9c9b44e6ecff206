"""P1 on the PostgreSQL store (issue 21), for scripts/bench.

The bench store (exported once, right after it was generated, so every copy
starts with the statuses the id list says) is imported into a fresh database
per run; then the same write workload as P1 (scripts/bench-lua/write.lua)
runs against one `serve --database-url` node with all connections, and
against two nodes on one database with the connections spread over them
(each node's wrk gets half, and half of the acties, so the two never write
the same actie). Reported as ratios to the raw pgbench events-table figure
of the same run, with p99, next to P1 on sled."""

import concurrent.futures
import os
import time


def export_store(ctx):
    """The bench store as JSON Lines (before any write touches it)."""
    path = os.path.join(ctx["work"], "bench-events.jsonl")
    ctx["run"]([ctx["bin"], "export-events", "--data-dir", ctx["store"], "-o", path], env=ctx["env"])
    return path


def fresh_database(ctx, name, export):
    admin = ctx["url"]
    ctx["run"](["psql", admin, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"])
    url = admin.rsplit("/", 1)[0] + "/" + name
    t0 = time.monotonic()
    ctx["run"]([ctx["bin"], "import-events", "--database-url", url, "-i", export], env=ctx["env"])
    return url, time.monotonic() - t0


def store_rows(ctx, sled, export):
    log, wrk, Server = ctx["log"], ctx["wrk"], ctx["server"]
    secs, conns = ctx["secs"], ctx["connections"]
    common = dict(BENCH_IDS=ctx["ids"], BENCH_TOKEN=ctx["token"])
    out = {"sled": sled}

    url, import_secs = fresh_database(ctx, "mag_one", export)
    out["importSeconds"] = import_secs
    log(f"P1 on PostgreSQL, one node: {secs} s, {conns} connections (import took {import_secs:.1f} s)")
    a = Server(os.path.join(ctx["work"], "pg-one"), ["--database-url", url])
    out["oneStartSeconds"] = a.start_seconds
    time.sleep(1)
    out["one"] = wrk(a.base, "write.lua", secs, **common)
    out["oneMemory"] = a.memory()
    a.stop()

    url, _ = fresh_database(ctx, "mag_two", export)
    log(f"P1 on PostgreSQL, two nodes: {secs} s, {conns // 2} connections on each")
    # Every node on one database needs the same webhook key (ADR 0009).
    key = ["--webhooks-key-file", os.path.join(ctx["work"], "pg-two-webhooks.key")]
    a = Server(os.path.join(ctx["work"], "pg-two-a"), ["--database-url", url] + key)
    b = Server(os.path.join(ctx["work"], "pg-two-b"), ["--database-url", url] + key)
    time.sleep(1)
    stride = 2 * ctx["threads"]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(wrk, node.base, "write.lua", secs, connections=conns // 2,
                            BENCH_STRIDE=stride, BENCH_OFFSET=i * ctx["threads"], **common)
                for i, node in enumerate((a, b))]
        ra, rb = (r.result() for r in runs)
    a.stop()
    b.stop()
    out["two"] = {
        "rate": ra["rate"] + rb["rate"],
        "requests": ra["requests"] + rb["requests"],
        "errors": ra["errors"] + rb["errors"],
        # wrk reports per process: the larger of the two is the bound a client sees.
        "p50Us": max(ra["p50Us"], rb["p50Us"]),
        "p99Us": max(ra["p99Us"], rb["p99Us"]),
        "nodes": [ra, rb],
    }
    return out


def rows(s, pg):
    """(measure, figure, ratio to pgbench) for the report."""
    tps = pg["tps"]
    def fig(r):
        e = f"; {r['errors']:,} errors/non-2xx" if r["errors"] else ""
        return f"{r['rate']:,.0f} writes/s, p99 {r['p99Us'] / 1000:.1f} ms{e}"
    return [
        ("P1 on sled (reference)", fig(s["sled"]), f"{s['sled']['rate'] / tps:.2f}×"),
        ("P1 on PostgreSQL, one node", fig(s["one"]), f"{s['one']['rate'] / tps:.2f}×"),
        ("P1 on PostgreSQL, two nodes", fig(s["two"]), f"{s['two']['rate'] / tps:.2f}×"),
        ("raw pgbench events table", f"{tps:,.0f} inserts/s, p99 {pg['p99Ms']:.1f} ms", "1.00×"),
    ]


def table(s, pg):
    lines = ["| row | figure | ratio to pgbench |", "|---|---|---|"]
    lines += [f"| {m} | {f} | {r} |" for m, f, r in rows(s, pg)]
    return "\n".join(lines)
