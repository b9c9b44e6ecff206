"""Schemathesis hooks for mag-tracker (loaded through SCHEMATHESIS_HOOKS).

before_call: a request gets what a real client sends. A field that holds an
id (in the body, the query or X-Bijsturing-Id) and was generated as a uuid
gets a real id of the demo instead (fixtures.json, "bindings"): a random uuid
only ever meets "unknown ..." (a rule no schema can state). `If-Match` becomes the
current ETag of the resource it names (read with a GET just before, with the
same token), and `Idempotency-Key` a fresh key, unless the generated case is
negative in exactly that header (then the mutated value is what is tested).
filter_failure: a valid request refused only by rules no schema can state
(RULES_NO_SCHEMA_STATES) is not a positive_data_acceptance failure; the
summary counts those refusals apart, per rule.
after_call: every exchange is written as one JSON line (operation, generation
mode and phase, what a negative case mutated, status, problem code and
invalidParams) for summary.py, which counts failures per check, operation and
cause.
"""

import json
import os
import random
import re
import uuid

import requests
import schemathesis

API = os.environ["MAG_ST_API"]
LOG = os.environ["MAG_ST_LOG"]
_session = requests.Session()
_fixtures = json.load(open(os.path.join(os.path.dirname(LOG), "fixtures.json"), encoding="utf-8"))
_bindings = _fixtures["bindings"]
_rng = random.Random(int(os.environ.get("MAG_ST_SEED", "1")))
# Problem codes of rules that depend on the state a request meets, or that tie
# parameters or fields together, which OpenAPI 3.1 cannot express. DECISIONS.md
# makes them 400s (an unknown id in the body, a date outside the agenda's
# period). A refusal whose invalidParams carry only these codes is tolerated;
# one that also names anything else stays a failure.
RULES_NO_SCHEMA_STATES = {
    # the state: ids, dates and positions that exist (or not) now
    "unknown-agenda", "unknown-bijsturing", "unknown-doel", "unknown-groepering", "unknown-onderwerp",
    "unknown-opgave", "unknown-organisatie", "outside-period", "before-checkmoment", "before-start",
    "future-date", "in-the-past", "beyond-head", "code-outside-parent", "invalid-parent",
    "requires-closing", "unknown-level", "before-decision", "reason-required",
    # one value against another: at most one of peildatum/peiltijdstip/positie,
    # dates or positions (not both), an end not before its start
    "conflicting-parameters", "mixed-range", "invalid-range", "incomplete-parameters",
    # one field against another inside a list or against the stored state: an end
    # date before its start (invalid-period), each streefwaarde's year once
    # (uniqueItems compares whole items, not one property), a band for
    # 'binnen bandbreedte' (on a PATCH the richting may be the stored one)
    "invalid-period", "duplicate-year", "band-required",
    # an agenda file (POST /agenda-imports): uniqueness across the whole tree,
    # which uniqueItems (whole items, one list) cannot state: a code once in
    # the agenda (groeperingen, opgaven and doelen together), a kenmerk once
    # in the agenda, an organisatie named once in 'organisaties' (case and
    # spacing ignored)
    "duplicate-code", "duplicate-kenmerk", "duplicate-organisatie",
    # references inside an agenda file (bijdragenAan by sleutel, else naam):
    # a sleutel once in the file, a naam that names one groepering, not the
    # item's own groepering, not the same one twice
    "duplicate-sleutel", "ambiguous-groepering", "primary-groepering", "duplicate-bijdrage",
    # a weergavecode in an agenda file is derived from the codes of the item
    # and its parents; one given must agree with them (a value across levels)
    "weergavecode-mismatch",
    # a webhook callback URL the server may call (docs/notificaties.md): https
    # (http only to loopback when the server allows it) and a host that
    # resolves, now, to public addresses only (SSRF); `format: uri` cannot say so
    "invalid-callback-url", "callback-url-not-allowed",
    # a gemeente must be one the agenda lists (its own data, not the schema's):
    # actie gemeenten, ?gemeente=, uitvoeringsperioden, a scoped token
    "unknown-gemeente",
}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _real_ids(node, segments, values):
    """Replaces the uuid-shaped strings at `segments` (`name`, `name[*]`) in `node`."""
    if not segments or not isinstance(node, dict):
        return
    name, star = segments[0], segments[0].endswith("[*]")
    name = name[:-3] if star else name
    if name not in node:
        return
    rest = segments[1:]
    if star:
        items = node[name] if isinstance(node[name], list) else []
        for i, item in enumerate(items):
            if rest:
                _real_ids(item, rest, values)
            elif isinstance(item, str) and _UUID.match(item):
                items[i] = _rng.choice(values)
    elif rest:
        _real_ids(node[name], rest, values)
    elif isinstance(node[name], str) and _UUID.match(node[name]):
        node[name] = _rng.choice(values)


def _use_real_ids(case):
    label = f"{case.method.upper()} {case.operation.path}"
    for key, values in {**_bindings["*"], **_bindings.get(label, {})}.items():
        location, _, path = key.partition(".")
        if location == "body":
            if isinstance(case.body, dict):
                body = json.loads(json.dumps(case.body))
                _real_ids(body, path.split("."), values)
                if body != case.body:
                    case.body = body
        elif location in ("query", "header"):
            container = dict((case.query if location == "query" else case.headers) or {})
            for name in list(container):
                if name.lower() == path.lower() and isinstance(container[name], str) and _UUID.match(container[name]):
                    container[name] = _rng.choice(values)
            if location == "query" and container != (case.query or {}):
                case.query = container
            elif location == "header" and container != (case.headers or {}):
                case.headers = container


def _etag_owner(case):
    """Path of the resource whose ETag a write's If-Match carries: the first
    two segments (`/acties/{id}` for a voortgangsbericht or the trekker)."""
    segments = case.operation.path.strip("/").split("/")
    if len(segments) < 2 or not segments[1].startswith("{"):
        return None
    value = (case.path_parameters or {}).get(segments[1][1:-1])
    if value is None:
        return None
    return f"/{segments[0]}/{value}"


def _mutated_headers(case):
    """Lower-case names of the headers a negative case mutated; '*' if unknown."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return set()
    try:
        from schemathesis.core.parameters import ParameterLocation
    except ImportError:  # pragma: no cover
        return {"*"}
    if not meta.is_negative_at(ParameterLocation.HEADER):
        return set()
    data = meta.phase.data
    names = set()
    if getattr(data, "parameter", None):
        names.add(data.parameter.lower())
    for mutation in getattr(data, "mutations", ()) or ():
        if getattr(mutation, "parameter", None):
            names.add(mutation.parameter.lower())
    return names or {"*"}


def _header(case, kwargs, name):
    for source in (case.headers or {}, kwargs.get("headers") or {}):
        for key, value in source.items():
            if key.lower() == name.lower():
                return value
    return None


# X-Wacht-Op-Positie (several nodes on one PostgreSQL database) makes a read
# wait until this node has that log position, at most 5 s, then answer 503
# with Retry-After, as the spec documents. A generated position is almost
# always beyond the log of the test server, so every such case would wait 5 s
# and end in a 503 by design. Valid positions are sent as 0 (reached at once);
# invalid values (negative cases) are sent as generated and must give a 400.
WAIT_HEADER = "x-wacht-op-positie"


def _reachable_wait_position(case):
    if WAIT_HEADER in _mutated_headers(case) or "*" in _mutated_headers(case):
        return
    headers = dict(case.headers or {})
    for key in list(headers):
        if key.lower() == WAIT_HEADER:
            headers[key] = "0"
    case.headers = headers


@schemathesis.hook
def before_call(context, case, kwargs):
    _use_real_ids(case)
    _reachable_wait_position(case)
    if case.method.upper() not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    declared = {p.name.lower(): p for p in case.operation.headers}
    mutated = _mutated_headers(case)
    if "*" in mutated:
        return
    headers = dict(case.headers or {})
    present = {k.lower(): k for k in headers}
    if "if-match" in declared and "if-match" not in mutated:
        required = declared["if-match"].is_required
        owner = _etag_owner(case)
        if owner and (required or "if-match" in present):
            auth = _header(case, kwargs, "Authorization")
            res = _session.get(API + owner, headers={"Authorization": auth} if auth else {}, timeout=10)
            etag = res.headers.get("ETag")
            if res.status_code == 200 and etag:
                headers.pop(present.get("if-match", "If-Match"), None)
                headers["If-Match"] = etag
    if "idempotency-key" in declared and "idempotency-key" not in mutated:
        headers.pop(present.get("idempotency-key", "Idempotency-Key"), None)
        headers["Idempotency-Key"] = str(uuid.uuid4())
    case.headers = headers


def _problem(response):
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if "json" not in (content_type or "") or response.status_code < 400:
        return None
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) and "code" in body else None


# Bodies whose schema in the spec is a bare string, so that "valid per the
# schema" says nothing: CSV rows for POST /agenda-imports (Content-Type
# text/csv; the agenda's naam, gemeenten and periode come as query parameters
# that only a CSV body requires, which OpenAPI cannot state either). Checked
# by the CSV reader, which names every row and column (docs/nieuwsbrief.md).
# The JSON agenda file of the same operation has its schema (Agendabestand)
# and is not exempt. Every other check still runs on these.
NO_BODY_SCHEMA = {("POST /agenda-imports", "text/csv")}


def _content_type(case):
    media = getattr(case, "media_type", None) or ""
    return media.split(";")[0].strip().lower()


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if type(failure).__name__ != "RejectedPositiveData" or response.status_code != 400:
        return True
    if (f"{case.method.upper()} {case.operation.path}", _content_type(case)) in NO_BODY_SCHEMA:
        return False
    problem = _problem(response) or {}
    codes = {p.get("code") for p in problem.get("invalidParams") or []}
    return not (codes and codes <= RULES_NO_SCHEMA_STATES)


def _describe(case):
    meta = case.meta
    if meta is None:
        return {}
    data = meta.phase.data
    out = {
        "mode": meta.generation.mode.value,
        "phase": meta.phase.name.value if hasattr(meta.phase.name, "value") else str(meta.phase.name),
        "description": getattr(data, "description", None),
        "parameter": getattr(data, "parameter", None),
        "location": getattr(getattr(data, "parameter_location", None), "value", None),
        "scenario": getattr(getattr(data, "scenario", None), "value", None),
    }
    mutations = getattr(data, "mutations", ()) or ()
    if mutations:
        out["mutations"] = [
            {"operator": getattr(getattr(m, "operator", None), "value", str(getattr(m, "operator", ""))),
             "parameter": getattr(m, "parameter", None)}
            for m in mutations
        ]
    return out


@schemathesis.hook
def after_call(context, case, response):
    record = {"case": case.id, "operation": f"{case.method.upper()} {case.operation.path}",
              "status": response.status_code, **_describe(case)}
    sent = response.request
    record["query"] = (sent.url or "").partition("?")[2][:200] or None
    record["body"] = sent.body[:300].decode("utf-8", "replace") if isinstance(sent.body, bytes) else (
        sent.body[:300] if isinstance(sent.body, str) else None)
    record["headers"] = {k: v[:60] for k, v in sent.headers.items()
                         if k.lower() in ("if-match", "idempotency-key", "x-bijsturing-id", "content-type")}
    body = _problem(response)
    if body:
        record["code"] = body.get("code")
        record["detail"] = (body.get("detail") or "")[:200]
        record["invalidParams"] = [
            {"name": p.get("name"), "code": p.get("code")} for p in body.get("invalidParams") or []
        ]
        codes = {p["code"] for p in record["invalidParams"]}
        if record.get("mode") == "positive" and response.status_code == 400 and codes \
                and codes <= RULES_NO_SCHEMA_STATES:
            record["tolerated"] = sorted(codes)
        elif record.get("mode") == "positive" and response.status_code == 400 \
                and (record["operation"], _content_type(case)) in NO_BODY_SCHEMA:
            record["tolerated"] = ["no-body-schema"]
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
