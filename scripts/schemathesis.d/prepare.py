"""Prepares a Schemathesis run against a running mag-tracker with the demo loaded.

Reads the real ids of the Twenterand demo, adds what the demo lacks (a
partner token, a voortgangsbericht, a reflectie, an indicator with a meting,
checkmomenten with bijsturingen) and a scratch agenda for the writes that
restructure (so a PATCH that moves or cancels something cannot take the
partner's actie away from the partner's operations), then writes:

- schemathesis.toml: one [[operations]] block per operation with the token
  that may call it and real ids as its path parameters;
- fixtures.json: the ids and tokens, and per operation the real ids that
  hooks.py puts in body, query and header fields holding an id (in every
  phase; Schemathesis' own dictionaries only reach the fuzzing phase).

Usage: prepare.py BASE_URL BEHEERDER_TOKEN WORKDIR MAX_EXAMPLES SEED PHASES
"""

import json
import sys
from pathlib import Path

import requests

base, beheerder, workdir, examples, seed, phases = sys.argv[1:7]
api = base.rstrip("/") + "/v1"
work = Path(workdir)


def call(method, path, token, body=None, expect=(200, 201)):
    headers = {"Authorization": f"Bearer {token}"}
    res = requests.request(method, api + path, json=body, headers=headers, timeout=30)
    if res.status_code not in expect:
        sys.exit(f"prepare: {method} {path} answered {res.status_code}: {res.text[:500]}")
    return res.json() if res.content else None


def items(path, token):
    return call("GET", path + ("&" if "?" in path else "?") + "pageSize=500", token)["resultaten"]


def created(path, token, body):
    return call("POST", path, token, body, expect=(201,))["id"]


# The demo agenda and its organisaties.
agenda = next(a for a in items("/agendas", beheerder) if "Twenterand" in a["naam"])["id"]
organisaties = {o["naam"]: o["id"] for o in items("/organisaties", beheerder)}
gemeente = organisaties["Gemeente Twenterand"]
acties = items(f"/agendas/{agenda}/acties", beheerder)
# The partner: an organisatie (not the gemeente) that is trekker of a demo actie.
partner_actie = next(
    a for a in acties
    if (a.get("trekker") or {}).get("organisatieId") not in (None, gemeente)
)
partner = partner_actie["trekker"]["organisatieId"]

# Tokens: a programmamanager of the demo and of a scratch agenda, a partner,
# and a spare token that DELETE /tokens/{id} may revoke.
scratch = created("/agendas", beheerder, {
    "naam": "Proeftuin Schemathesis", "omschrijving": "Agenda voor de schrijvende operaties",
    "gemeenten": ["Twenterand"], "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2026-12-31",
    "groeperingsniveaus": [{"enkelvoud": "themalijn", "meervoud": "themalijnen"}],
})
pm_token = call("POST", "/tokens", beheerder, {
    "organisatieId": gemeente, "rol": "programmamanager",
    "omschrijving": "schemathesis programmamanager", "agendas": [agenda, scratch]}, expect=(201,))
pm = pm_token["token"]
partner_token = call("POST", "/tokens", beheerder, {
    "organisatieId": partner, "rol": "partner", "omschrijving": "schemathesis partner"}, expect=(201,))
partner_tok = partner_token["token"]
spare_token = call("POST", "/tokens", beheerder, {
    "organisatieId": partner, "rol": "lezer", "omschrijving": "schemathesis, mag ingetrokken worden"},
    expect=(201,))
scratch_org = created("/organisaties", beheerder, {"naam": "Stichting Proeftuin", "soort": "overig"})
# Webhook subscriptions (the beheerder's): one to read and change, a spare one
# that DELETE may end. 192.0.2.0/24 is TEST-NET-1: never routed, so the
# server's deliveries to it only fail and back off.
hook = {"callbackUrl": "https://192.0.2.10/schemathesis"}
abonnement = call("POST", "/abonnementen", beheerder, hook, expect=(201,))["id"]
spare_abonnement = call("POST", "/abonnementen", beheerder, hook, expect=(201,))["id"]

# The demo side: the partner's actie, its opgave and doel, and what hangs under them.
actie = partner_actie["id"]
opgave = partner_actie["opgaveId"]
doel = partner_actie["doelId"]
groepering = call("GET", f"/opgaven/{opgave}", pm).get("groeperingId") or items(
    f"/agendas/{agenda}/groeperingen", pm)[0]["id"]
indicator = created(f"/doelen/{doel}/indicatoren", pm, {
    "naam": "Deelnemers aan de activiteit", "eenheid": "aantal", "richting": "hogerIsBeter",
    "bron": "registratie", "eigenaarOrganisatieId": partner,
    "streefwaarden": [{"jaar": 2024, "waarde": 40}]})
checkmoment = created(f"/opgaven/{opgave}/checkmomenten", pm,
                      {"datum": "2024-06-15", "onderwerp": "Halfjaarcheck"})
agenda_checkmoment = created(f"/agendas/{agenda}/checkmomenten", pm,
                             {"datum": "2024-12-01", "onderwerp": "Jaarcheck"})
bijsturing = created(f"/checkmomenten/{checkmoment}/bijsturingen", pm, {
    "besluit": "Meer inzet op bereik", "onderbouwing": "Te weinig deelnemers", "datum": "2024-06-20"})
call("POST", f"/acties/{actie}/statuswijzigingen", partner_tok,
     {"status": "lopend", "reden": "Gestart", "ingangsDatum": "2024-03-01"}, expect=(201,))
bericht = created(f"/acties/{actie}/voortgangsberichten", partner_tok, {"tekst": "Eerste bijeenkomst gehouden"})
reflectie = created("/reflecties", partner_tok,
                    {"over": actie, "datum": "2024-06-01", "tekst": "Goed begonnen", "watGingGoed": "Opkomst"})
meting = created(f"/indicatoren/{indicator}/metingen", partner_tok,
                 {"periode": "2024", "meetDatum": "2024-06-30", "waarde": 12, "status": "voorlopig"})

# The scratch side: the structure that restructuring writes may change.
g2 = created(f"/agendas/{scratch}/groeperingen", pm, {"naam": "Proefthema", "code": "1"})
g2b = created(f"/agendas/{scratch}/groeperingen", pm, {"naam": "Tweede proefthema", "code": "2"})
o2 = created(f"/agendas/{scratch}/opgaven", pm,
             {"code": "1.1", "titel": "Proefopgave", "omschrijving": "Om te wijzigen", "groeperingId": g2})
d2 = created(f"/opgaven/{o2}/doelen", pm, {"code": "1.1.1", "titel": "Proefdoel"})
d2b = created(f"/opgaven/{o2}/doelen", pm, {"code": "1.1.2", "titel": "Tweede proefdoel"})
y2 = created(f"/doelen/{d2}/acties", pm, {
    "omschrijving": "Proefactie", "jaar": 2024, "trekker": {"soort": "organisatie", "organisatieId": gemeente}})
i2 = created(f"/doelen/{d2}/indicatoren", pm, {"naam": "Proefindicator", "eenheid": "%", "richting": "lagerIsBeter"})
c2 = created(f"/opgaven/{o2}/checkmomenten", pm, {"datum": "2024-06-15", "onderwerp": "Proefcheck"})
bj2 = created(f"/checkmomenten/{c2}/bijsturingen", pm,
              {"besluit": "Proefbesluit", "onderbouwing": "Om te wijzigen", "datum": "2024-06-20"})

org_ids = sorted(set(organisaties.values()) | {scratch_org})
fixtures = {
    "agenda": agenda, "scratchAgenda": scratch, "partner": partner, "gemeente": gemeente,
    "actie": actie, "opgave": opgave, "doel": doel, "groepering": groepering, "indicator": indicator,
    "checkmoment": checkmoment, "agendaCheckmoment": agenda_checkmoment, "bijsturing": bijsturing,
    "voortgangsbericht": bericht, "reflectie": reflectie, "meting": meting,
    "scratch": {"groepering": g2, "groepering2": g2b, "opgave": o2, "doel": d2, "doel2": d2b,
                "actie": y2, "indicator": i2, "checkmoment": c2, "bijsturing": bj2,
                "organisatie": scratch_org},
    "tokens": {"beheerder": beheerder, "programmamanager": pm, "partner": partner_tok,
               "partnerTokenId": partner_token["id"], "spareTokenId": spare_token["id"]},
}

# Which token and which ids each operation gets. Reads use the programmamanager
# (it reads both agendas) unless noted; writes the role whose work it is.
P, B, M = "partner", "beheerder", "programmamanager"
S = fixtures["scratch"]
ids = {"id": None}


def op(method, path, role=M, **params):
    return (method, path, role, params)


demo_reads = {
    "/acties/{id}": {"id": actie}, "/acties/{id}/audittrail": {"id": actie},
    "/acties/{id}/statuswijzigingen": {"id": actie}, "/acties/{id}/voortgangsberichten": {"id": actie},
    "/acties/{id}/voortgangsberichten/{berichtId}": {"id": actie, "berichtId": bericht},
    "/agendas": {}, "/agendas/{id}": {"id": agenda},
    "/checkmomenten/{id}": {"id": checkmoment}, "/checkmomenten/{id}/audittrail": {"id": checkmoment},
    "/checkmomenten/{id}/bijsturingen": {"id": checkmoment},
    "/checkmomenten/{id}/bijsturingen/{bijsturingId}": {"id": checkmoment, "bijsturingId": bijsturing},
    "/doelen/{id}": {"id": doel}, "/groeperingen/{id}": {"id": groepering},
    "/indicatoren/{id}": {"id": indicator},
    "/indicatoren/{id}/metingen/{metingId}": {"id": indicator, "metingId": meting},
    "/opgaven/{id}": {"id": opgave}, "/organisaties/{id}": {"id": partner},
    "/reflecties/{id}": {"id": reflectie}, "/tokens/{id}": {"id": partner_token["id"]},
    "/abonnementen/{id}": {"id": abonnement}, "/abonnementen/{id}/afleveringen": {"id": abonnement},
}
# Default ids by the first path segment, for reads not listed above.
by_collection = {"acties": actie, "agendas": agenda, "checkmomenten": checkmoment, "doelen": doel,
                 "groeperingen": groepering, "indicatoren": indicator, "opgaven": opgave,
                 "organisaties": partner, "reflecties": reflectie, "tokens": partner_token["id"],
                 "abonnementen": abonnement}
writes = {
    ("PATCH", "/acties/{id}"): (M, {"id": S["actie"]}),
    ("PUT", "/acties/{id}/trekker"): (M, {"id": S["actie"]}),
    ("POST", "/acties/{id}/statuswijzigingen"): (P, {"id": actie}),
    ("POST", "/acties/{id}/voortgangsberichten"): (P, {"id": actie}),
    ("PATCH", "/acties/{id}/voortgangsberichten/{berichtId}"): (P, {"id": actie, "berichtId": bericht}),
    ("POST", "/agenda-imports"): (B, {}),
    ("POST", "/agendas"): (B, {}),
    ("PATCH", "/agendas/{id}"): (M, {"id": scratch}),
    ("POST", "/agendas/{id}/checkmomenten"): (M, {"id": scratch}),
    ("POST", "/agendas/{id}/groeperingen"): (M, {"id": scratch}),
    ("POST", "/agendas/{id}/opgaven"): (M, {"id": scratch}),
    ("PATCH", "/checkmomenten/{id}"): (M, {"id": S["checkmoment"]}),
    ("POST", "/checkmomenten/{id}/bijsturingen"): (M, {"id": S["checkmoment"]}),
    ("PATCH", "/checkmomenten/{id}/bijsturingen/{bijsturingId}"):
        (M, {"id": S["checkmoment"], "bijsturingId": S["bijsturing"]}),
    ("PATCH", "/doelen/{id}"): (M, {"id": S["doel"]}),
    ("POST", "/doelen/{id}/acties"): (M, {"id": S["doel"]}),
    ("POST", "/doelen/{id}/indicatoren"): (M, {"id": S["doel"]}),
    ("PATCH", "/groeperingen/{id}"): (M, {"id": S["groepering"]}),
    ("PATCH", "/indicatoren/{id}"): (M, {"id": S["indicator"]}),
    ("POST", "/indicatoren/{id}/metingen"): (P, {"id": indicator}),
    ("PATCH", "/opgaven/{id}"): (M, {"id": S["opgave"]}),
    ("POST", "/opgaven/{id}/acties"): (M, {"id": S["opgave"]}),
    ("POST", "/opgaven/{id}/checkmomenten"): (M, {"id": S["opgave"]}),
    ("POST", "/opgaven/{id}/doelen"): (M, {"id": S["opgave"]}),
    ("POST", "/organisaties"): (B, {}),
    ("PATCH", "/organisaties/{id}"): (B, {"id": S["organisatie"]}),
    ("POST", "/reflecties"): (P, {}),
    ("PATCH", "/reflecties/{id}"): (P, {"id": reflectie}),
    ("POST", "/tokens"): (B, {}),
    ("DELETE", "/tokens/{id}"): (B, {"id": spare_token["id"]}),
    ("POST", "/abonnementen"): (B, {}),
    ("PATCH", "/abonnementen/{id}"): (B, {"id": abonnement}),
    ("DELETE", "/abonnementen/{id}"): (B, {"id": spare_abonnement}),
    ("POST", "/opgaven/{id}/bijdragen"): (M, {"id": S["opgave"]}),
    ("POST", "/doelen/{id}/bijdragen"): (M, {"id": S["doel"]}),
    ("DELETE", "/opgaven/{id}/bijdragen/{groeperingId}"):
        (M, {"id": S["opgave"], "groeperingId": S["groepering2"]}),
    ("DELETE", "/doelen/{id}/bijdragen/{groeperingId}"):
        (M, {"id": S["doel"], "groeperingId": S["groepering2"]}),
}
reads_by = {"/tokens": B, "/tokens/{id}": B, "/organisaties": B, "/organisaties/{id}": B,
            "/abonnementen": B, "/abonnementen/{id}": B, "/abonnementen/{id}/afleveringen": B,
            "/gebeurtenissen": B}

# Fields holding ids get real ids (the partner writes as itself).
dictionaries = {
    "organisaties": org_ids, "partner": [partner], "agendas": [agenda, scratch],
    "scratchDoelen": [S["doel"], S["doel2"]], "scratchOpgaven": [S["opgave"]],
    "scratchGroeperingen": [S["groepering"], S["groepering2"]],
    "onderwerpen": [S["actie"], S["opgave"], S["doel"], S["indicator"]],
    "partnerOnderwerpen": [actie, opgave], "bijsturingen": [bijsturing, S["bijsturing"]],
    "demoOpgaven": [opgave], "demoDoelen": [doel],
}
acties_body = {"body.doelId": "scratchDoelen", "body.opgaveId": "scratchOpgaven",
               "body.partners[*]": "organisaties", "body.trekker.organisatieId": "organisaties"}
bindings = {
    ("PATCH", "/acties/{id}"): acties_body,
    ("POST", "/doelen/{id}/acties"): acties_body,
    ("POST", "/opgaven/{id}/acties"): acties_body,
    ("PUT", "/acties/{id}/trekker"): {"body.organisatieId": "organisaties"},
    ("POST", "/acties/{id}/voortgangsberichten"): {"body.auteurOrganisatieId": "partner"},
    ("PATCH", "/acties/{id}/voortgangsberichten/{berichtId}"): {"body.auteurOrganisatieId": "partner"},
    ("POST", "/agendas/{id}/checkmomenten"): {"body.deelnemers[*]": "organisaties"},
    ("POST", "/opgaven/{id}/checkmomenten"): {"body.deelnemers[*]": "organisaties"},
    ("PATCH", "/checkmomenten/{id}"): {"body.deelnemers[*]": "organisaties"},
    ("POST", "/agendas/{id}/groeperingen"): {"body.bovenliggendeGroeperingId": "scratchGroeperingen"},
    ("PATCH", "/groeperingen/{id}"): {"body.bovenliggendeGroeperingId": "scratchGroeperingen"},
    ("POST", "/agendas/{id}/opgaven"): {"body.groeperingId": "scratchGroeperingen"},
    ("POST", "/opgaven/{id}/bijdragen"): {"body.groeperingId": "scratchGroeperingen"},
    ("POST", "/doelen/{id}/bijdragen"): {"body.groeperingId": "scratchGroeperingen"},
    ("PATCH", "/opgaven/{id}"): {"body.groeperingId": "scratchGroeperingen"},
    ("POST", "/checkmomenten/{id}/bijsturingen"): {"body.voorgenomenWijzigingen[*].onderwerpId": "onderwerpen"},
    ("PATCH", "/doelen/{id}"): {"body.bovenliggendDoelId": "scratchDoelen", "body.opgaveId": "scratchOpgaven"},
    ("POST", "/opgaven/{id}/doelen"): {"body.bovenliggendDoelId": "scratchDoelen", "body.opgaveId": "scratchOpgaven"},
    ("POST", "/doelen/{id}/indicatoren"): {"body.eigenaarOrganisatieId": "organisaties"},
    ("PATCH", "/indicatoren/{id}"): {"body.eigenaarOrganisatieId": "organisaties"},
    ("POST", "/indicatoren/{id}/metingen"): {"body.doorOrganisatieId": "partner"},
    ("POST", "/reflecties"): {"body.auteurOrganisatieId": "partner", "body.over": "partnerOnderwerpen"},
    ("PATCH", "/reflecties/{id}"): {"body.auteurOrganisatieId": "partner", "body.over": "partnerOnderwerpen"},
    ("POST", "/tokens"): {"body.agendas[*]": "agendas", "body.organisatieId": "organisaties"},
    ("GET", "/reflecties"): {"query.over": "partnerOnderwerpen", "query.agenda": "agendas"},
    ("GET", "/agendas/{id}/acties"): {"query.opgave": "demoOpgaven", "query.trekker": "organisaties"},
    ("GET", "/gebeurtenissen"): {"query.agenda": "agendas"},
    ("POST", "/abonnementen"): {"body.agenda": "agendas"},
}
tokens = {B: beheerder, M: pm, P: partner_tok}
# Every operation may carry X-Bijsturing-Id: a real bijsturing.
fixtures["bindings"] = {
    f"{m} {path}": {key: dictionaries[name] for key, name in keys.items()}
    for (m, path), keys in bindings.items()
}
fixtures["bindings"]["*"] = {"header.X-Bijsturing-Id": dictionaries["bijsturingen"]}
# A bijsturing belongs to one agenda: the partner writes in the demo agenda,
# the programmamanager's writes go to the scratch agenda.
for (m, path), (role, _) in writes.items():
    own = {P: [bijsturing], M: [S["bijsturing"]]}.get(role)
    if own:
        fixtures["bindings"].setdefault(f"{m} {path}", {})["header.X-Bijsturing-Id"] = own
(work / "fixtures.json").write_text(json.dumps(fixtures, indent=2))


def toml_str(value):
    return json.dumps(value)  # a JSON string is a valid TOML basic string


spec = requests.get(api + "/openapi.json", timeout=30).json()
lines = [
    f"seed = {int(seed)}",
    "workers = 1",
    "continue-on-failure = true",
    "request-timeout = 10",
    "",
    "[generation]",
    f"max-examples = {int(examples)}",
    "no-shrink = true",
    'database = "none"',
    "",
    "[phases]",
]
for phase in ("examples", "coverage", "fuzzing", "stateful"):
    lines.append(f"{phase}.enabled = {'true' if phase in phases.split(',') else 'false'}")
lines += [
    "",
    "[checks]",
    # A schema-valid request may still be refused for the state it meets: a
    # duplicate code or a status transition (409), or a resource a PATCH moved
    # out of sight (404). 412/428 never count as acceptance: the hooks send the
    # current ETag.
    'positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409"]',
    'negative_data_rejection.expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428"]',
    # API.md: a missing required If-Match is 428 Precondition Required.
    'missing_required_header.expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]',
    "",
]

for path, methods in spec["paths"].items():
    for method in methods:
        if method not in ("get", "post", "put", "patch", "delete"):
            continue
        m = method.upper()
        if (m, path) in writes:
            role, params = writes[(m, path)]
        else:
            role = reads_by.get(path, M)
            params = dict(demo_reads.get(path, {}))
            for name in ("id",):
                if "{id}" in path and name not in params:
                    params[name] = by_collection[path.split("/")[1]]
        lines.append("[[operations]]")
        lines.append(f"include-name = {toml_str(f'{m} {path}')}")
        lines.append(f"headers = {{ Authorization = {toml_str('Bearer ' + tokens[role])} }}")
        entries = [f"{toml_str('path.' + k)} = {toml_str(v)}" for k, v in params.items()]
        if entries:
            lines.append("[operations.parameters]")
            lines += entries
        lines.append("")
(work / "schemathesis.toml").write_text("\n".join(lines))
print(f"prepare: demo agenda {agenda}, partner {partner}, actie {actie}, scratch agenda {scratch}")
