"""A partner's journey through a Python client generated from the committed
openapi/openapi.json with openapi-python-client (scripts/client-journey).

Every call goes through the generated package (its models, its functions, its
configured httpx client); no hand-written request. What a generated client of
openapi-python-client 0.29 cannot do through its typed API, and how this does
it instead (docs/client.md):
- response headers (ETag): every operation has a `sync_detailed` variant whose
  Response carries `.headers`;
- one 200 answer with several content types (GET /agendas/{id}/voortgang as
  JSON, Markdown or HTML): the generator reads only the first one (JSON), so
  Markdown and HTML are read with the operation's own request builder
  (`_get_kwargs`) through `client.get_httpx_client()`.

Usage: journey.py BASE_URL BEHEERDER_TOKEN  (the generated package `mag_client`
on PYTHONPATH)
"""

import enum
import importlib
import pkgutil
import sys
import typing
import uuid

import mag_client.api
from mag_client import AuthenticatedClient
from mag_client.types import UNSET

base, beheerder_token = sys.argv[1:3]
url = base.rstrip("/") + "/v1"
checks = 0


def check(condition, what):
    global checks
    if not condition:
        sys.exit(f"client journey: FAIL: {what}")
    checks += 1
    print(f"  ok  {what}")


def operation(operation_id):
    """The generated module of an operation, found by its operationId (the tag
    folder it sits in does not matter)."""
    for info in pkgutil.iter_modules(mag_client.api.__path__):
        try:
            return importlib.import_module(f"mag_client.api.{info.name}.{operation_id}")
        except ModuleNotFoundError:
            continue
    sys.exit(f"client journey: FAIL: the generated client has no operation {operation_id}")


def body_model(module):
    """The generated model class of an operation's request body."""
    hint = typing.get_type_hints(module.sync_detailed)["body"]
    return next((a for a in typing.get_args(hint) if hasattr(a, "from_dict")), hint)


def ok(response, status, what):
    if response.status_code != status:
        check(False, f"{what}: expected {status}, got {int(response.status_code)}: {response.content[:500]!r}")
    check(response.parsed is not None, f"{what}: {status}")
    return response.parsed


beheerder = AuthenticatedClient(base_url=url, token=beheerder_token)

# The demo agenda and an actie whose trekker is a partner organisatie.
agendas = ok(operation("list_agendas").sync_detailed(client=beheerder), 200, "list agendas")
agenda = next(a for a in agendas.resultaten if "Twenterand" in a.naam)
list_acties = operation("list_acties")
acties = ok(list_acties.sync_detailed(agenda.id, client=beheerder, page_size=500), 200, "list the demo's acties")
organisaties = ok(operation("list_organisaties").sync_detailed(client=beheerder, page_size=500), 200,
                  "list organisaties")
gemeente = next(o.id for o in organisaties.resultaten if o.naam == "Gemeente Twenterand")
actie = next(a for a in acties.resultaten
             if a.trekker and a.trekker.organisatie_id not in (None, UNSET, gemeente) and a.status == "gepland")
partner_id = actie.trekker.organisatie_id
partner_naam = next(o.naam for o in organisaties.resultaten if o.id == partner_id)
print(f"partner {partner_naam}, actie {actie.kenmerk}")

# A partner token, issued by the beheerder through the generated client.
post_token = operation("post_token")
issued = ok(post_token.sync_detailed(
    client=beheerder,
    body=body_model(post_token).from_dict(
        {"organisatieId": str(partner_id), "rol": "partner", "omschrijving": "client journey"}),
    idempotency_key=str(uuid.uuid4())), 201, "issue a partner token")
partner = AuthenticatedClient(base_url=url, token=issued.token)

# 1. The partner lists its acties.
mine = ok(list_acties.sync_detailed(agenda.id, client=partner, trekker=partner_id), 200,
          "the partner lists its acties (?trekker=)")
check(any(a.id == actie.id for a in mine.resultaten) and
      all(a.trekker.organisatie_id == partner_id for a in mine.resultaten),
      f"the list holds actie {actie.kenmerk} and only acties of {partner_naam}")

get_pdca = operation("get_pdca")
before = ok(get_pdca.sync_detailed(actie.opgave_id, client=partner), 200, "read the opgave's PDCA state")

# 2. It changes the actie's status, with the ETag the client reads from the headers.
get_actie = operation("get_actie")
read = get_actie.sync_detailed(actie.id, client=partner)
etag = read.headers.get("ETag")
check(read.status_code == 200 and etag, f"GET /acties/{{id}} sends an ETag the client can read ({etag})")
post_status = operation("post_statuswijziging")
changed = ok(post_status.sync_detailed(
    actie.id, client=partner,
    body=body_model(post_status).from_dict(
        {"status": "lopend", "reden": "De eerste bijeenkomst is gehouden", "ingangsDatum": "2024-03-01"}),
    if_match=etag, idempotency_key=str(uuid.uuid4())), 201, "change the status with If-Match")
check(changed.status == "lopend", "the answer shows the new status 'lopend'")

# 3. It adds a voortgangsbericht with If-Match and Idempotency-Key; a retry
#    with the same key returns the same bericht and adds nothing.
read = get_actie.sync_detailed(actie.id, client=partner)
etag2 = read.headers.get("ETag")
check(etag2 and etag2 != etag, f"the ETag moved on after the change ({etag} -> {etag2})")
post_voortgang = operation("post_voortgang")
tekst = "Veertig inwoners kwamen naar de eerste informatieavond in Vroomshoop."
key = str(uuid.uuid4())
bericht_body = body_model(post_voortgang).from_dict({"tekst": tekst, "datum": "2024-03-12"})
bericht = ok(post_voortgang.sync_detailed(actie.id, client=partner, body=bericht_body, if_match=etag2,
                                          idempotency_key=key), 201, "add a voortgangsbericht")
check(bericht.tekst == tekst, "the voortgangsbericht comes back with its text")
again = ok(post_voortgang.sync_detailed(actie.id, client=partner, body=bericht_body, if_match=etag2,
                                        idempotency_key=key), 201, "retry with the same Idempotency-Key")
check(again.id == bericht.id, "the retry returns the same voortgangsbericht")
stale = post_voortgang.sync_detailed(actie.id, client=partner, body=bericht_body, if_match=etag,
                                     idempotency_key=str(uuid.uuid4()))
check(stale.status_code == 412 and stale.parsed.status == 412,
      "a stale If-Match is refused with 412 (a Problem model)")
berichten = ok(operation("list_voortgang").sync_detailed(actie.id, client=partner), 200,
               "list the actie's voortgangsberichten")
check([b.tekst for b in berichten.resultaten].count(tekst) == 1, "the bericht is listed once")
now = ok(get_actie.sync_detailed(actie.id, client=partner), 200, "read the actie again")
check(now.status == "lopend" and now.aantal_voortgangsberichten == actie.aantal_voortgangsberichten + 1,
      "the actie is 'lopend' with one more voortgangsbericht")

# 4. The PDCA state of the opgave, parsed into the generated model.
pdca = ok(get_pdca.sync_detailed(actie.opgave_id, client=partner), 200, "read the PDCA state again")
check(type(pdca).__name__ == type(before).__name__ and pdca.opgave_id == actie.opgave_id,
      f"the PDCA answer parses into the generated {type(pdca).__name__} of opgave {pdca.opgave_code}")
check(pdca.fase == "do", f"the opgave's phase is 'do' now (was '{before.fase}'): {pdca.fase_reden}")
check(pdca.acties_per_status.lopend == before.acties_per_status.lopend + 1 and
      pdca.acties_per_status.gepland == before.acties_per_status.gepland - 1,
      f"the PDCA state counts the new status (lopend {before.acties_per_status.lopend} -> "
      f"{pdca.acties_per_status.lopend})")
check(all(s.actie_id != actie.id for s in pdca.acties_zonder_update),
      "the actie is not among the acties without an update")

# 5. The voortgang of the agenda: JSON through the typed API, Markdown and HTML
#    through the operation's request builder (one 200, three content types).
get_voortgang = operation("get_voortgang")
voortgang = ok(get_voortgang.sync_detailed(agenda.id, client=partner, sinds_positie=0), 200,
               "read the voortgang as JSON")
check(tekst in str(voortgang.to_dict()), "the JSON voortgang holds the voortgangsbericht")
# `formaat` is an enum in the spec, so the generated function takes its enum.
formaat_enum = next((a for a in typing.get_args(typing.get_type_hints(get_voortgang._get_kwargs)["formaat"])
                     if isinstance(a, type) and issubclass(a, enum.Enum)), None)
check(formaat_enum is not None and {f.value for f in formaat_enum} == {"json", "markdown", "html"},
      f"the generated client offers formaat as an enum ({formaat_enum.__name__ if formaat_enum else None})")
try:  # what the typed call does with Markdown (not a check: a later generator may read it)
    get_voortgang.sync_detailed(agenda.id, client=partner, sinds_positie=0, formaat=formaat_enum("markdown"))
    print("  note: the typed call read the Markdown answer (the generator reads several media types now)")
except ValueError:
    print("  note: the typed call parses the Markdown answer as JSON and fails; it is read raw below")
for value, media_type, marker in ((formaat_enum("markdown"), "text/markdown", "# Voortgang"),
                                  (formaat_enum("html"), "text/html", "<article")):
    kwargs = get_voortgang._get_kwargs(agenda.id, sinds_positie=0, formaat=value)
    raw = partner.get_httpx_client().request(**kwargs)
    check(raw.status_code == 200 and raw.headers["content-type"].startswith(media_type),
          f"?formaat={value.value}: 200 {raw.headers.get('content-type')}")
    check(marker in raw.text and tekst in raw.text and actie.kenmerk in raw.text,
          f"the {media_type} text holds the heading, the actie's kenmerk and the bericht")

# 6. The beheerder imports an agenda file built with the generated models of
#    its schema (Agendabestand): the spec's own example, renamed.
post_import = operation("post_import")
spec = beheerder.get_httpx_client().get("/openapi.json").json()
bestand = body_model(post_import).from_dict(spec["components"]["schemas"]["Agendabestand"]["example"])
bestand.agenda.naam = "Agenda uit de klantreis"
check(type(bestand.agenda.groeperingen[0].opgaven[0].doelen[0]).__name__ == "BestandDoel",
      "the example reads into the generated models of the agenda file (BestandDoel, ...)")
imported = ok(post_import.sync_detailed(client=beheerder, body=bestand, idempotency_key=str(uuid.uuid4())),
              201, "import the agenda file built with the generated client")
check((imported.opgaven, imported.doelen, imported.acties) == (1, 1, 1),
      "the import created one opgave, one doel and one actie")
created = ok(operation("get_agenda").sync_detailed(imported.agenda_id, client=beheerder), 200,
             "read the imported agenda")
check(created.naam == "Agenda uit de klantreis", f"the imported agenda is '{created.naam}'")

print(f"client journey: PASS ({checks} checks)")
