//! The agenda as open data: the whole tree as an agenda file (the import's
//! own format, so export → import round-trips) and one CSV row per actie.
//!
//! CSV dialect (what Dutch Excel and LibreOffice open directly): UTF-8 with a
//! byte order mark, `;` between fields, CRLF line ends, fields quoted with `"`
//! when they hold `;`, `"` or a line break (a `"` inside is doubled), one
//! header row. Several partners in one field are separated by ` | `.
//! Every cell goes through [`escape::csv_cell`]: a text that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
//! spreadsheet does not run it as a formula (the import takes it off again).
//! Dates are `JJJJ-MM-DD`, instants RFC 3339 in UTC.
//!
//! Indicatoren go with their doel in the JSON tree: their current
//! streefwaarden (per year, or without `jaar` for the whole period) and
//! current metingen (each with its `gemeente`, if any); the CSV carries them
//! as rows of their own (see [`indicatoren`] and [`super::csv::indicatoren`]). What the file
//! format cannot hold yet is left out: reflecties and history (superseded
//! metingen and revised streefwaarden stay in the log). A vervallen opgave or doel carries its `vervalreden` (JSON)
//! or `opgaveVervalreden`/`doelVervalreden`/`bovenliggendDoelVervalreden`
//! (CSV), and imports as vervallen again.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::csv::indicatoren::COLUMNS as INDICATOR_COLUMNS;
use super::{
    ActieIn, AgendaFile, AgendaIn, DoelIn, GroeperingIn, OpgaveIn, OrganisatieIn, TrekkerIn,
};
use crate::domain::actie::{Actie, Trekker};
use crate::domain::reflectie::OnderwerpSoort;
use crate::escape;
use crate::projections::{Entity, ReadModel};

mod indicatoren;

/// The CSV columns, in order. `actieId`, `statusSindsDatum`,
/// `laatstGewijzigdTijdstip` and `aantalReflecties` are ignored on import;
/// `kenmerk` is kept (an empty one is given by the import). The
/// `…Vervalreden` columns (last, so older files keep their positions) are
/// empty for an active opgave or doel and hold the reason for a vervallen one.
/// `gemeenten` follows them; the `…BijdragenAan` columns (after that) name
/// the further groeperingen the opgave, doel or parent doel contributes
/// to, by naam, separated by ` | ` as partners are.
pub const CSV_COLUMNS: [&str; 28] = [
    "groeperingCode",
    "groeperingNaam",
    "opgaveCode",
    "opgaveTitel",
    "doelCode",
    "doelTitel",
    "bovenliggendDoelCode",
    "bovenliggendDoelTitel",
    "actieId",
    "kenmerk",
    "omschrijving",
    "jaar",
    "geplandeStartDatum",
    "geplandeEindDatum",
    "trekker",
    "trekkerSoort",
    "partners",
    "status",
    "statusSindsDatum",
    "laatstGewijzigdTijdstip",
    "aantalReflecties",
    "opgaveVervalreden",
    "doelVervalreden",
    "bovenliggendDoelVervalreden",
    "gemeenten",
    "opgaveBijdragenAan",
    "doelBijdragenAan",
    "bovenliggendDoelBijdragenAan",
];

/// A `…BijdragenAan` cell: the names of the groeperingen `ids`, separated
/// as partners are.
fn bijdragen_cel(model: &ReadModel, ids: Option<&[Uuid]>) -> String {
    ids.unwrap_or_default()
        .iter()
        .filter_map(|g| model.groeperingen.get(g))
        .map(|g| g.state.naam.clone())
        .collect::<Vec<_>>()
        .join(PARTNER_SEPARATOR)
}

/// The groeperingen the CSV's rows place their opgave in and those their
/// `…BijdragenAan` cells name. A groepering only named (one that only
/// receives contributions) gets a row of its own, with only
/// `groeperingCode` and `groeperingNaam`: the import refuses a name the
/// file does not define.
#[derive(Default)]
struct Genoemd {
    geplaatst: BTreeSet<Uuid>,
    genoemd: BTreeSet<Uuid>,
}

impl Genoemd {
    /// A row with its opgave's groepering and the cells' contributions.
    fn rij(&mut self, groepering: Option<Uuid>, bijdragen: [Option<&[Uuid]>; 3]) {
        self.geplaatst.extend(groepering);
        for ids in bijdragen.into_iter().flatten() {
            self.genoemd.extend(ids.iter().copied());
        }
    }

    /// Code and naam of each groepering named but placed in no row, in
    /// the order of the tree.
    fn alleen_genoemd(&self, model: &ReadModel) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .genoemd
            .difference(&self.geplaatst)
            .filter_map(|id| model.groeperingen.get(id))
            .collect();
        v.sort_by_cached_key(|g| (code_key(model.groepering_weergavecode(g.id).as_ref()), g.id));
        v.into_iter()
            .map(|g| {
                let code = g.state.code.as_ref().map(|c| c.to_string());
                (code.unwrap_or_default(), g.state.naam.clone())
            })
            .collect()
    }
}

/// Separator of several partners in one CSV field.
pub const PARTNER_SEPARATOR: &str = " | ";

type CodeKey = (bool, Vec<crate::domain::code::Segment>);

fn code_key(code: Option<&crate::domain::Code>) -> CodeKey {
    crate::projections::codes::sorteer(code)
}

fn sorted<'a, T>(
    items: impl Iterator<Item = &'a Entity<T>>,
    key: impl Fn(&T) -> CodeKey,
) -> Vec<&'a Entity<T>>
where
    T: 'a,
{
    let mut v: Vec<&Entity<T>> = items.collect();
    // Creation order (UUID v7 ids sort by time) breaks ties between uncoded items.
    v.sort_by(|a, b| key(&a.state).cmp(&key(&b.state)).then(a.id.cmp(&b.id)));
    v
}

struct Tree<'a> {
    model: &'a ReadModel,
    agenda_id: Uuid,
    /// Only the acties for this gemeente (and the whole agenda).
    gemeente: Option<&'a str>,
    orgs: BTreeSet<Uuid>,
    /// The `sleutel` of every groepering a contribution names.
    sleutels: HashMap<Uuid, String>,
}

/// A `sleutel` for every groepering of the agenda that an opgave or doel
/// contributes to: its naam, made unique with its code (or a number) when
/// another groepering of the agenda has the same naam.
fn sleutels(model: &ReadModel, agenda_id: Uuid) -> HashMap<Uuid, String> {
    let named: BTreeSet<Uuid> = model
        .opgaven
        .values()
        .filter(|o| o.state.agenda_id == agenda_id)
        .flat_map(|o| o.state.bijdragen.iter().copied())
        .chain(
            model
                .doelen
                .values()
                .filter(|d| d.state.agenda_id == agenda_id)
                .flat_map(|d| d.state.bijdragen.iter().copied()),
        )
        .collect();
    let mut taken = BTreeSet::new();
    let mut out = HashMap::new();
    for id in named {
        let Some(g) = model.groeperingen.get(&id) else {
            continue;
        };
        let naam = &g.state.naam;
        let shared = model.groeperingen.values().any(|x| {
            x.id != id
                && x.state.agenda_id == agenda_id
                && crate::domain::naam::same(&x.state.naam, naam)
        });
        let mut sleutel = match (&g.state.code, shared) {
            (_, false) => naam.clone(),
            (Some(c), true) => format!("{naam} ({c})"),
            (None, true) => format!("{naam} (1)"),
        };
        let mut n = 1;
        while !taken.insert(crate::domain::naam::key(&sleutel)) {
            n += 1;
            sleutel = format!("{naam} ({n})");
        }
        out.insert(id, sleutel);
    }
    out
}

impl Tree<'_> {
    fn verwijzingen(&self, ids: &[Uuid]) -> Vec<String> {
        ids.iter()
            .filter_map(|g| self.sleutels.get(g).cloned())
            .collect()
    }
}

impl Tree<'_> {
    fn org_name(&self, id: &Uuid) -> String {
        self.model
            .organisaties
            .get(id)
            .map(|o| o.state.naam.clone())
            .unwrap_or_default()
    }

    fn actie(&mut self, a: &Actie) -> ActieIn {
        let trekker = a.trekker.as_ref().map(|t| match t {
            Trekker::Organisatie { organisatie_id } => {
                self.orgs.insert(*organisatie_id);
                TrekkerIn {
                    organisatie: Some(self.org_name(organisatie_id)),
                    groep: None,
                }
            }
            Trekker::Groep { naam } => TrekkerIn {
                organisatie: None,
                groep: Some(naam.clone()),
            },
        });
        self.orgs.extend(a.partners.iter().copied());
        ActieIn {
            kenmerk: Some(a.kenmerk.to_string()),
            omschrijving: a.omschrijving.clone(),
            jaar: a.jaar,
            geplande_start_datum: a.geplande_start,
            geplande_eind_datum: a.geplande_eind,
            trekker,
            partners: a.partners.iter().map(|p| self.org_name(p)).collect(),
            gemeenten: a.gemeenten.clone(),
            status: a.status,
        }
    }

    fn acties(&mut self, filter: impl Fn(&Actie) -> bool) -> Vec<ActieIn> {
        let model = self.model;
        let mut v: Vec<&Entity<Actie>> = model
            .acties
            .values()
            .map(|e| &**e)
            .filter(|a| a.state.agenda_id == self.agenda_id && filter(&a.state))
            .filter(|a| voor(self.gemeente, &a.state))
            .collect();
        v.sort_by_key(|a| a.id);
        v.into_iter().map(|a| self.actie(&a.state)).collect()
    }

    fn doelen(&mut self, opgave: Uuid, parent: Option<Uuid>) -> Vec<DoelIn> {
        let model = self.model;
        let doelen =
            sorted(
                model.doelen.values().map(|e| &**e).filter(|d| {
                    d.state.opgave_id == opgave && d.state.bovenliggend_doel_id == parent
                }),
                |d| code_key(d.code.as_ref()),
            );
        doelen
            .into_iter()
            .map(|d| DoelIn {
                code: d.state.code.as_ref().map(|c| c.to_string()),
                weergavecode: model.doel_weergavecode(d.id).map(String::from),
                titel: d.state.titel.clone(),
                omschrijving: d.state.omschrijving.clone(),
                geprioriteerd: d.state.geprioriteerd,
                vervalreden: d.state.vervallen.clone(),
                bijdragen_aan: self.verwijzingen(&d.state.bijdragen),
                subdoelen: self.doelen(opgave, Some(d.id)),
                indicatoren: self.indicatoren(d.id),
                acties: self.acties(|a| a.doel_id == Some(d.id)),
            })
            .collect()
    }

    fn opgaven(&mut self, groepering: Option<Uuid>) -> Vec<OpgaveIn> {
        let model = self.model;
        let agenda = self.agenda_id;
        let opgaven = sorted(
            model
                .opgaven
                .values()
                .map(|e| &**e)
                .filter(|o| o.state.agenda_id == agenda && o.state.groepering_id == groepering),
            |o| code_key(o.code.as_ref()),
        );
        opgaven
            .into_iter()
            .map(|o| OpgaveIn {
                code: o.state.code.as_ref().map(|c| c.to_string()),
                weergavecode: model.opgave_weergavecode(o.id).map(String::from),
                titel: o.state.titel.clone(),
                omschrijving: o.state.omschrijving.clone(),
                geprioriteerd: o.state.geprioriteerd,
                vervalreden: o.state.vervallen.clone(),
                bijdragen_aan: self.verwijzingen(&o.state.bijdragen),
                doelen: self.doelen(o.id, None),
                acties: self.acties(|a| a.doel_id.is_none() && a.opgave_id == o.id),
            })
            .collect()
    }

    fn groeperingen(&mut self, parent: Option<Uuid>) -> Vec<GroeperingIn> {
        let model = self.model;
        let agenda = self.agenda_id;
        let groepen = sorted(
            model.groeperingen.values().map(|e| &**e).filter(|g| {
                g.state.agenda_id == agenda && g.state.bovenliggende_groepering_id == parent
            }),
            |g| code_key(g.code.as_ref()),
        );
        groepen
            .into_iter()
            .map(|g| GroeperingIn {
                sleutel: self.sleutels.get(&g.id).cloned(),
                code: g.state.code.as_ref().map(|c| c.to_string()),
                weergavecode: model.groepering_weergavecode(g.id).map(String::from),
                naam: g.state.naam.clone(),
                omschrijving: g.state.omschrijving.clone(),
                groeperingen: self.groeperingen(Some(g.id)),
                opgaven: self.opgaven(Some(g.id)),
            })
            .collect()
    }
}

/// Whether an actie is exported for `gemeente` (`None`: every actie).
fn voor(gemeente: Option<&str>, a: &Actie) -> bool {
    gemeente.is_none_or(|g| crate::domain::gemeente::hoort_bij(&a.gemeenten, g))
}

/// The whole agenda as an agenda file (with a `gemeente`: only its acties
/// and those for the whole agenda); `None` for an unknown agenda.
pub fn agenda_file(
    model: &ReadModel,
    agenda_id: Uuid,
    gemeente: Option<&str>,
) -> Option<AgendaFile> {
    let agenda = &model.agendas.get(&agenda_id)?.state;
    let mut tree = Tree {
        model,
        agenda_id,
        gemeente,
        orgs: BTreeSet::new(),
        sleutels: sleutels(model, agenda_id),
    };
    let groeperingen = tree.groeperingen(None);
    let opgaven = tree.opgaven(None);
    let mut organisaties: Vec<OrganisatieIn> = tree
        .orgs
        .iter()
        .filter_map(|id| model.organisaties.get(id))
        .map(|o| OrganisatieIn {
            naam: o.state.naam.clone(),
            soort: o.state.soort,
            contactadres: o.state.contactadres.clone(),
        })
        .collect();
    organisaties.sort_by(|a, b| a.naam.cmp(&b.naam));
    Some(AgendaFile {
        formaat: "mag-tracker/agenda".into(),
        formaat_versie: 1,
        organisaties,
        agenda: AgendaIn {
            naam: agenda.naam.clone(),
            omschrijving: agenda.omschrijving.clone(),
            gemeenten: agenda.gemeenten.clone(),
            periode_start_datum: agenda.periode_start,
            periode_eind_datum: agenda.periode_eind,
            status: agenda.status,
            gepubliceerd: agenda.gepubliceerd,
            signaleringstermijn_dagen: agenda.signaleringstermijn_dagen,
            groeperingsniveaus: agenda
                .groeperingsniveaus
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            uitvoeringsperioden: agenda
                .uitvoeringsperioden
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            groeperingen,
            opgaven,
        },
    })
}

/// One row per actie, in the order of the tree (groepering, opgave, doel);
/// with a `gemeente`, only its acties and those for the whole agenda. With
/// `met_indicatoren`, the indicator columns too and after the acties one
/// row per value of each indicator (see [`indicatoren`]; the form the CSV
/// import reads). Last, a row with only `groeperingCode` and
/// `groeperingNaam` for each groepering a `…BijdragenAan` cell names that
/// no other row places an opgave in ([`Genoemd`]).
pub fn csv(
    model: &ReadModel,
    agenda_id: Uuid,
    gemeente: Option<&str>,
    met_indicatoren: bool,
) -> Option<Vec<u8>> {
    model.agendas.get(&agenda_id)?;
    let mut acties: Vec<&Entity<Actie>> = model
        .acties
        .values()
        .map(|e| &**e)
        .filter(|a| a.state.agenda_id == agenda_id && voor(gemeente, &a.state))
        .collect();
    let order = |a: &Entity<Actie>| {
        let opgave = model.opgaven.get(&model.opgave_of(&a.state));
        let groepering = opgave
            .and_then(|o| o.state.groepering_id)
            .and_then(|g| model.groeperingen.get(&g));
        let doel = a.state.doel_id.and_then(|d| model.doelen.get(&d));
        (
            code_key(
                groepering
                    .and_then(|g| model.groepering_weergavecode(g.id))
                    .as_ref(),
            ),
            groepering.map(|g| g.id),
            code_key(
                opgave
                    .and_then(|o| model.opgave_weergavecode(o.id))
                    .as_ref(),
            ),
            opgave.map(|o| o.id),
            code_key(doel.and_then(|d| model.doel_weergavecode(d.id)).as_ref()),
            doel.map(|d| d.id),
            a.id,
        )
    };
    acties.sort_by_cached_key(|a| order(a));
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);

        let org = |id: &Uuid| {
            model
                .organisaties
                .get(id)
                .map(|o| o.state.naam.clone())
                .unwrap_or_default()
        };
        let mut genoemd = Genoemd::default();
        // The indicator columns and rows only when asked for: the CSV of
        // acties stays one row per actie for the scripts that read it.
        let (indicatoren, extra) = if met_indicatoren {
            (
                indicatoren::csv_rows(model, agenda_id, gemeente, &org, &mut genoemd),
                INDICATOR_COLUMNS.len(),
            )
        } else {
            (Vec::new(), 0)
        };
        w.write_record(CSV_COLUMNS.iter().chain(&INDICATOR_COLUMNS[..extra]))
            .ok()?;
        for e in acties {
            let a = &e.state;
            let opgave = model.opgaven.get(&model.opgave_of(a));
            let groepering = opgave
                .and_then(|o| o.state.groepering_id)
                .and_then(|g| model.groeperingen.get(&g));
            let doel = a.doel_id.and_then(|d| model.doelen.get(&d));
            let parent = doel
                .and_then(|d| d.state.bovenliggend_doel_id)
                .and_then(|p| model.doelen.get(&p));
            genoemd.rij(
                groepering.map(|g| g.id),
                [
                    opgave.map(|o| &o.state.bijdragen[..]),
                    doel.map(|d| &d.state.bijdragen[..]),
                    parent.map(|p| &p.state.bijdragen[..]),
                ],
            );
            let (trekker, soort) = match &a.trekker {
                None => (String::new(), ""),
                Some(Trekker::Organisatie { organisatie_id }) => {
                    (org(organisatie_id), "organisatie")
                }
                Some(Trekker::Groep { naam }) => (naam.clone(), "groep"),
            };
            let reflecties = model
                .reflecties
                .values()
                .filter(|r| {
                    !r.state.ingetrokken
                        && r.state.over.soort == OnderwerpSoort::Actie
                        && r.state.over.id == e.id
                })
                .count();
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let row = [
                groepering
                    .and_then(|g| g.state.code.as_ref())
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                groepering.map(|g| g.state.naam.clone()).unwrap_or_default(),
                opgave
                    .and_then(|o| o.state.code.as_ref())
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                opgave.map(|o| o.state.titel.clone()).unwrap_or_default(),
                doel.and_then(|d| d.state.code.as_ref())
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                doel.map(|d| d.state.titel.clone()).unwrap_or_default(),
                parent
                    .and_then(|p| p.state.code.as_ref())
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                parent.map(|p| p.state.titel.clone()).unwrap_or_default(),
                e.id.to_string(),
                a.kenmerk.to_string(),
                a.omschrijving.clone(),
                a.jaar.to_string(),
                date(a.geplande_start),
                date(a.geplande_eind),
                trekker,
                soort.to_owned(),
                a.partners
                    .iter()
                    .map(org)
                    .collect::<Vec<_>>()
                    .join(PARTNER_SEPARATOR),
                a.status.as_str().to_owned(),
                date(a.status_sinds),
                a.laatst_gewijzigd
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                reflecties.to_string(),
                opgave
                    .and_then(|o| o.state.vervallen.clone())
                    .unwrap_or_default(),
                doel.and_then(|d| d.state.vervallen.clone())
                    .unwrap_or_default(),
                parent
                    .and_then(|p| p.state.vervallen.clone())
                    .unwrap_or_default(),
                a.gemeenten.join(PARTNER_SEPARATOR),
                bijdragen_cel(model, opgave.map(|o| &o.state.bijdragen[..])),
                bijdragen_cel(model, doel.map(|d| &d.state.bijdragen[..])),
                bijdragen_cel(model, parent.map(|p| &p.state.bijdragen[..])),
            ];
            w.write_record(
                row.iter()
                    .chain(std::iter::repeat_n(&String::new(), extra))
                    .map(|cell| escape::csv_cell(cell).as_bytes().to_vec()),
            )
            .ok()?;
        }
        for (place, rows) in indicatoren {
            for r in rows {
                w.write_record(
                    place
                        .iter()
                        .chain(r.iter())
                        .map(|cell| escape::csv_cell(cell).as_bytes().to_vec()),
                )
                .ok()?;
            }
        }
        for (code, naam) in genoemd.alleen_genoemd(model) {
            let row = [code, naam].into_iter().chain(std::iter::repeat_n(
                String::new(),
                CSV_COLUMNS.len() - 2 + extra,
            ));
            w.write_record(row.map(|cell| escape::csv_cell(&cell).as_bytes().to_vec()))
                .ok()?;
        }
        w.flush().ok()?;
    }
    Some(out)
}
