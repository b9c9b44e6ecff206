"""Summarises a Schemathesis run of scripts/schemathesis: failing cases per
check, per cause and per operation.

Inputs: calls.jsonl (one line per request, written by hooks.py) and the NDJSON
event report of Schemathesis (the result of every check for every case).
A case is one generated request; Schemathesis itself reports each distinct
failure once, this counts every request that failed a check.

Usage: summary.py CALLS_JSONL EVENTS_NDJSON MODE SEED SECONDS COUNTS_JSON
(COUNTS_JSON: written with the number of failing requests per check, for the
caller's decision.)
"""

import collections
import json
import sys

calls_path, events_path, mode, seed, seconds, counts_path = sys.argv[1:7]

# What a refusal code of the server means for the contract (positive data
# refused). "spec" causes can be fixed in the schema; "state" causes depend on
# the data a request meets, "rule" causes tie values together in a way OpenAPI
# cannot state. A refusal with only "state" and "rule" codes is no failure
# (hooks.py RULES_NO_SCHEMA_STATES); these rows appear when a request also
# broke something else.
CAUSES = {
    "unknown-field": ("spec", "a field the schema shows that this operation refuses (create/patch mixed, or extra)"),
    "required": ("spec", "a field the server requires that `required` omits"),
    "invalid-value": ("spec", "a value outside an enumeration given only in prose (no `enum`)"),
    "invalid-date": ("spec", "a date the schema allows (format is not asserted in JSON Schema 2020-12, e.g. \"\"; or outside 1900..2200)"),
    "invalid-date-time": ("spec", "an instant the schema allows (format not asserted, or outside 1900..2200)"),
    "invalid-uuid": ("spec", "an id the schema allows (format: uuid is not asserted, e.g. \"\")"),
    "invalid-email": ("spec", "an e-mail address the schema allows (no format/pattern)"),
    "invalid-number": ("spec", "a number outside a range the schema does not state (minimum/maximum)"),
    "invalid-type": ("spec", "a body of a type the schema allows (e.g. null)"),
    "minimum": ("spec", "a query value below a minimum the schema does not state"),
    "range": ("spec", "a query value outside a range the schema does not state"),
    "conflicting-fields": ("spec", "fields the schema allows together that the server refuses together"),
    "conflicting-parameters": ("rule", "query parameters the schema allows together (peildatum/peiltijdstip/positie) that the server refuses together"),
    "mixed-range": ("rule", "a date range and a position range together"),
    "unknown-level": ("spec", "a groepering level outside the agenda's levels"),
    "duplicate": ("state", "a duplicate name or code"),
    "outside-period": ("state", "a date outside the agenda's period"),
    "before-checkmoment": ("state", "a date before the checkmoment"),
    "requires-closing": ("state", "a field only allowed when closing"),
    "beyond-head": ("state", "a position beyond the head of the log"),
    "in-the-past": ("state", "an expiry in the past"),
    "invalid-range": ("rule", "a range whose end lies before its start"),
    "invalid-parent": ("state", "a parent that cannot be one"),
    "code-outside-parent": ("state", "a code that does not start with the parent's code"),
    "before-start": ("state", "a closing date before the start"),
    "unknown-bijsturing": ("state", "a bijsturing of another agenda"),
}


def load_calls():
    calls = {}
    with open(calls_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            calls[record["case"]] = record
    return calls


def load_failures(calls):
    failures = []  # (check, case id, record, failure)
    with open(events_path, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished["recorder"]
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check["status"] != "failure":
                        continue
                    record = calls.get(case_id)
                    if record is None:  # a request a check sent itself
                        value = (recorder.get("cases") or {}).get(case_id, {}).get("value", {})
                        record = {"operation": recorder.get("label") or f"{value.get('method')} {value.get('path')}"}
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    failures.append((check["name"], case_id, record, failure))
    return failures


def cause_of(check, record, failure):
    """One or more causes of a failing case."""
    status = record.get("status")
    if check == "positive_data_acceptance":
        codes = sorted({p["code"] for p in record.get("invalidParams") or []})
        if codes:
            return [f"{status} {code}" for code in codes]
        return [f"{status} {record.get('code') or '(no problem code)'}"]
    if check == "negative_data_rejection":
        what = record.get("scenario") or ",".join(
            sorted({m.get("operator") or "" for m in record.get("mutations") or []})) or "?"
        where = record.get("location") or "?"
        return [f"{status}: {where} {what}"]
    title = failure.get("title") or check
    message = (failure.get("message") or "").splitlines()
    return [f"{title}: {message[0][:90] if message else status}"]


def fields_of(check, record, cause):
    if check != "positive_data_acceptance":
        parameter = record.get("parameter") or ",".join(
            sorted({m.get("parameter") or "" for m in record.get("mutations") or []} - {""}))
        return [parameter] if parameter else []
    code = cause.split(" ", 1)[1]
    return [p["name"] for p in record.get("invalidParams") or [] if p["code"] == code]


def main():
    calls = load_calls()
    failures = load_failures(calls)
    operations = {r["operation"] for r in calls.values() if r.get("scenario") != "unspecified_http_method"}
    print(f"\nSchemathesis summary: mode {mode}, seed {seed}, {seconds} s, "
          f"{len(calls)} requests to {len(operations)} operations")
    counts = collections.Counter()
    for check, case_id, _, _ in failures:
        counts[check] += 1
    with open(counts_path, "w", encoding="utf-8") as f:
        json.dump(counts, f)
    tolerated = collections.Counter()
    tolerated_ops = collections.defaultdict(set)
    for record in calls.values():
        for code in record.get("tolerated") or []:
            tolerated[code] += 1
            tolerated_ops[code].add(record["operation"])
    if tolerated:
        print(f"Valid requests refused only by rules no schema can state (hooks.py RULES_NO_SCHEMA_STATES; "
              f"not failures): {sum(1 for r in calls.values() if r.get('tolerated'))} requests")
        for code, n in tolerated.most_common():
            print(f"  {n:6} {len(tolerated_ops[code]):4}  400 {code}")
    if not failures:
        print("No failing request: every check passed.")
        return
    by_check = collections.defaultdict(set)
    ops_by_check = collections.defaultdict(set)
    causes = collections.defaultdict(lambda: collections.defaultdict(set))
    cause_ops = collections.defaultdict(lambda: collections.defaultdict(set))
    cause_fields = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    per_op = collections.defaultdict(collections.Counter)
    for check, case_id, record, failure in failures:
        op = record["operation"]
        by_check[check].add(case_id)
        ops_by_check[check].add(op)
        if check == "unsupported_method":  # a probe with a method the path does not declare
            per_op[f"* {op.split(' ', 1)[1]}"][check] += 1
        else:
            per_op[op][check] += 1
        for cause in cause_of(check, record, failure):
            causes[check][cause].add(case_id)
            cause_ops[check][cause].add(op)
            for field in fields_of(check, record, cause):
                cause_fields[check][cause][field] += 1
    failing = set().union(*by_check.values())
    print(f"{len(failing)} failing requests. By check (requests, operations):")
    for check in sorted(by_check, key=lambda c: -len(by_check[c])):
        print(f"  {check:32} {len(by_check[check]):6} {len(ops_by_check[check]):4}")
    for check in sorted(causes, key=lambda c: -len(by_check[c])):
        print(f"\n{check}, by cause (requests, operations; a request with several problems counts under each):")
        for cause in sorted(causes[check], key=lambda c: -len(causes[check][c])):
            note = ""
            if check == "positive_data_acceptance":
                kind, text = CAUSES.get(cause.split(" ", 1)[1], ("?", ""))
                note = f"  [{kind}] {text}" if text else ""
            top = ", ".join(f"{f} {n}" for f, n in cause_fields[check][cause].most_common(4))
            print(f"  {len(causes[check][cause]):6} {len(cause_ops[check][cause]):4}  {cause}{note}")
            if top:
                print(f"{'':14}fields: {top}")
    short = {"positive_data_acceptance": "pos", "negative_data_rejection": "neg", "unsupported_method": "405",
             "missing_required_header": "hdr", "response_schema_conformance": "schema",
             "status_code_conformance": "status", "content_type_conformance": "ctype",
             "response_headers_conformance": "rhdr", "not_a_server_error": "5xx"}
    print("\nBy operation (failing requests per check; `* path`: undeclared methods on that path):")
    for op in sorted(per_op):
        counts = "  ".join(f"{short.get(c, c)} {n}" for c, n in per_op[op].most_common())
        print(f"  {op:58} {counts}")


main()
