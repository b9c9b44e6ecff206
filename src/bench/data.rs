//! `bench-data`: fills a store with realistic data for the benchmarks.
//!
//! Many agendas shaped like the Twenterand one (the demo file imported
//! through [`crate::import::plan`] under other names, plus one indicator per
//! coded doel), spread over the log, and between the imports the daily work
//! on them: voortgangsberichten, status changes, metingen and reflecties.
//! Every event comes from the same domain decisions the API uses, decided on
//! the live read model; only the appends are batched (up to `--batch` events
//! over distinct streams, each with its exact expected version), so a
//! million events take well under a minute. All events share one system
//! actor per batch, which the API would not do.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use uuid::Uuid;

use super::Rng;
use crate::domain::actie::ActieStatus;
use crate::domain::events::*;
use crate::domain::indicator::{self, MetingStatus, Richting, Waarde};
use crate::domain::reflectie::{self, Onderwerp, OnderwerpSoort, PdcaFase};
use crate::domain::Event;
use crate::event_store::{
    Actor, AppendRequest, EventStore, ExpectedVersion, Metadata, SledOptions, SledStore,
};
use crate::import;
use crate::projections::ReadModel;
use crate::service::StreamEvents;

#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Directory for the new store (must be empty or missing).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Stop once the log holds at least this many events.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Write the ids the load scripts use here (`head <position>`,
    /// `agenda <id> <index>`, `opgave <id> <agenda index>`, `actie <id> <status>`).
    #[arg(long)]
    pub ids: Option<PathBuf>,
    /// Most events per append.
    #[arg(long, default_value_t = 2_000)]
    pub batch: usize,
    /// Log events per imported agenda (imports are spread evenly).
    #[arg(long, default_value_t = 4_000)]
    pub events_per_agenda: u64,
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// How appends are made durable while generating (flush is enough for
    /// data that can be generated again).
    #[arg(long, default_value = "flush")]
    pub durability: crate::event_store::Durability,
}

const BERICHTEN: [&str; 8] = [
    "Eerste bijeenkomst met de partners gehouden; 23 deelnemers uit drie kernen. Volgende stap is een gezamenlijke planning voor het najaar.",
    "De werkgroep heeft de aanpak besproken en de taakverdeling vastgelegd. De wijkcoaches nemen contact op met de scholen.",
    "Taalcafé in Vriezenveen draait wekelijks, gemiddeld 14 bezoekers. In Vroomshoop start het na de zomervakantie.",
    "Vertraging door personeelstekort bij de uitvoerder; de planning schuift twee maanden op. Bespreken in het trekkersoverleg.",
    "Subsidieaanvraag bij de provincie ingediend. Besluit verwacht in het volgende kwartaal.",
    "Evaluatie met de deelnemers gehouden: positief over de opzet, wens om vaker bij elkaar te komen.",
    "Voorlichtingsavond in Den Ham gehouden met 40 ouders; materiaal gedeeld met het consultatiebureau.",
    "Gesprekken met huurders gevoerd over energiebesparing; 31 huishoudens hebben een energiecoach gekregen.",
];

const REDENEN: [&str; 3] = [
    "Uitvoerder tijdelijk niet beschikbaar; hervatten na overleg.",
    "Nieuwe financiering toegekend; de actie loopt weer.",
    "Resultaat bereikt volgens de afspraken in het trekkersoverleg.",
];

/// What the generator keeps about the agendas it made.
#[derive(Default)]
struct Pools {
    acties: Vec<Uuid>,
    indicatoren: Vec<Uuid>,
    doelen: Vec<Uuid>,
    /// (opgave, index of its agenda)
    opgaven: Vec<(Uuid, usize)>,
    organisaties: Vec<Uuid>,
    agendas: Vec<Uuid>,
}

pub fn run(args: DataArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=crate::event_store::MAX_EVENTS_PER_APPEND).contains(&args.batch),
        "--batch must be between 1 and {}",
        crate::event_store::MAX_EVENTS_PER_APPEND
    );
    let options = SledOptions {
        durability: args.durability,
        ..SledOptions::default()
    };
    let store = SledStore::open(&args.data_dir, options)
        .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?;
    anyhow::ensure!(
        store.head() == 0,
        "{} already holds events; bench-data needs an empty store",
        args.data_dir.display()
    );
    let state = crate::app::open_state(Arc::new(store))?;
    let store = state.store.clone();
    let started = Instant::now();
    let mut rng = Rng(args.seed);
    let mut pools = Pools::default();
    let agendas_target = (args.events / args.events_per_agenda.max(1)).max(1) as usize;
    let mut imported = 0usize;
    while store.head() < args.events {
        let head = store.head();
        let due = imported == 0
            || (imported < agendas_target
                && head >= imported as u64 * args.events / agendas_target as u64);
        let batch = if due {
            imported += 1;
            import_agenda(&state.projection.read(), imported - 1, &mut pools)?
        } else {
            let room = (args.events - head).min(args.batch as u64) as usize;
            activity(&state.projection.read(), room, &pools, &mut rng)
        };
        if batch.is_empty() {
            anyhow::bail!("nothing left to generate (no acties?)");
        }
        store
            .append(request(batch))
            .wait()
            .map_err(|e| anyhow::anyhow!("append failed: {e}"))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let model = state.projection.read();
    if let Some(path) = &args.ids {
        std::fs::write(path, ids_file(&model, &pools))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "{}",
        serde_json::json!({
            "events": model.position,
            "agendas": model.agendas.len(),
            "opgaven": model.opgaven.len(),
            "acties": model.acties.len(),
            "indicatoren": model.indicatoren.len(),
            "reflecties": model.reflecties.len(),
            "seconds": seconds,
            "eventsPerSecond": model.position as f64 / seconds.max(1e-9),
        })
    );
    drop(model);
    // The directory is free for the next command when this returns.
    store.close();
    Ok(())
}

fn request(batch: Vec<StreamEvents>) -> AppendRequest {
    let streams = batch
        .into_iter()
        .filter_map(StreamEvents::into_append)
        .collect();
    AppendRequest {
        streams,
        metadata: Metadata {
            actor: Actor::system("bench-data"),
            correlation_id: Some(Uuid::now_v7()),
            ..Metadata::default()
        },
        idempotency: None,
    }
}

/// The Twenterand agenda under another name, plus one indicator per coded doel.
fn import_agenda(
    model: &ReadModel,
    index: usize,
    pools: &mut Pools,
) -> anyhow::Result<Vec<StreamEvents>> {
    let mut file = import::parse(import::TWENTERAND_2024)
        .map_err(|e| anyhow::anyhow!("demo agenda does not parse: {e:?}"))?;
    let gemeente = format!("Benchgemeente {index:04}");
    file.agenda.naam = format!("Maatschappelijke Agenda {gemeente} 2024");
    file.agenda.gemeenten = vec![gemeente];
    let plan =
        import::plan(&file, model).map_err(|e| anyhow::anyhow!("the import was refused: {e:?}"))?;
    pools.agendas.push(plan.summary.agenda_id);
    let mut streams = plan.streams;
    let mut indicators = Vec::new();
    for s in &streams {
        match s.events.first() {
            Some(Event::ActieAangemaakt(_)) => pools.acties.push(s.stream_id),
            Some(Event::OpgaveAangemaakt(_)) => pools.opgaven.push((s.stream_id, index)),
            Some(Event::DoelAangemaakt(d)) => {
                pools.doelen.push(s.stream_id);
                if d.code.is_some() {
                    indicators.push(indicator_for(d, s.stream_id)?);
                }
            }
            Some(Event::OrganisatieGeregistreerd(_)) => pools.organisaties.push(s.stream_id),
            _ => {}
        }
    }
    if pools.organisaties.is_empty() {
        pools.organisaties = model.organisaties.keys().copied().collect();
    }
    for i in &indicators {
        pools.indicatoren.push(i.stream_id);
    }
    streams.extend(indicators);
    Ok(streams)
}

fn indicator_for(d: &DoelAangemaakt, doel_id: Uuid) -> anyhow::Result<StreamEvents> {
    let events = indicator::create(IndicatorAangemaakt {
        agenda_id: d.agenda_id,
        doel_id,
        naam: format!(
            "Bereik van doel {}",
            d.titel.chars().take(40).collect::<String>()
        ),
        eenheid: "%".into(),
        richting: Richting::HogerIsBeter,
        bron: Some("Monitor sociaal domein".into()),
        eigenaar_organisatie_id: None,
        nulmeting: Some(Waarde {
            jaar: Some(2023),
            waarde: 40.0,
            ondergrens: None,
            bovengrens: None,
        }),
        streefwaarden: vec![Waarde {
            jaar: Some(2024),
            waarde: 55.0,
            ondergrens: None,
            bovengrens: None,
        }],
    })
    .map_err(|e| anyhow::anyhow!("indicator refused: {e:?}"))?;
    Ok(StreamEvents {
        stream_id: Uuid::now_v7(),
        expected: ExpectedVersion::NoStream,
        events,
    })
}

/// A stream's state as this batch leaves it: decisions later in the batch
/// see the events decided earlier, exactly as the API would after each write.
enum Local {
    Actie(crate::domain::actie::Actie),
    Indicator(crate::domain::indicator::Indicator),
}

/// Up to `room` events of daily work, decided on the read model plus what
/// this batch already decided; one [`StreamEvents`] per stream, with the
/// stream's committed version as the expected version.
fn activity(model: &ReadModel, room: usize, pools: &Pools, rng: &mut Rng) -> Vec<StreamEvents> {
    let now = chrono::Utc::now();
    let mut pending: HashMap<Uuid, (u64, Vec<Event>, Local)> = HashMap::new();
    let mut order = Vec::new();
    let mut out = Vec::new();
    let mut count = 0;
    let mut attempts = 0;
    while count < room && attempts < room * 3 {
        attempts += 1;
        let dice = rng.below(100);
        let (id, events) = if dice < 75 {
            let Some(id) = rng.pick(&pools.acties) else {
                continue;
            };
            let Some(a) = model.acties.get(&id) else {
                continue;
            };
            let entry = pending.entry(id).or_insert_with(|| {
                order.push(id);
                (a.version, Vec::new(), Local::Actie(a.state.clone()))
            });
            let Local::Actie(actie) = &mut entry.2 else {
                continue;
            };
            let decision = if dice < 55 {
                actie.add_voortgang(VoortgangsberichtToegevoegd {
                    bericht_id: Uuid::now_v7(),
                    datum: rng.date(),
                    auteur_organisatie_id: rng.pick(&pools.organisaties),
                    tekst: BERICHTEN[rng.below(BERICHTEN.len())].into(),
                })
            } else {
                let (naar, reden) = next_status(actie.status, rng);
                actie.change_status(naar, rng.date(), reden)
            };
            let Ok(events) = decision else { continue };
            for e in &events {
                actie.apply(e, now);
            }
            (id, events)
        } else if dice < 90 {
            let Some(id) = rng.pick(&pools.indicatoren) else {
                continue;
            };
            let Some(i) = model.indicatoren.get(&id) else {
                continue;
            };
            let entry = pending.entry(id).or_insert_with(|| {
                order.push(id);
                (i.version, Vec::new(), Local::Indicator(i.state.clone()))
            });
            let Local::Indicator(indicator) = &mut entry.2 else {
                continue;
            };
            let kwartaal = 1 + rng.below(4);
            let decision = indicator.record(MetingVastgelegd {
                meting_id: Uuid::now_v7(),
                periode: format!("2024-Q{kwartaal}"),
                meet_datum: Some(rng.date()),
                waarde: 40.0 + rng.below(300) as f64 / 10.0,
                status: if rng.below(3) == 0 {
                    MetingStatus::Definitief
                } else {
                    MetingStatus::Voorlopig
                },
                bron: Some("Monitor sociaal domein".into()),
                toelichting: None,
                door_organisatie_id: rng.pick(&pools.organisaties),
                gemeente: None,
            });
            let Ok(events) = decision else { continue };
            for e in &events {
                indicator.apply(e, now);
            }
            (id, events)
        } else {
            let Some(events) = reflectie_on(model, pools, rng) else {
                continue;
            };
            count += events.len();
            out.push(StreamEvents {
                stream_id: Uuid::now_v7(),
                expected: ExpectedVersion::NoStream,
                events,
            });
            continue;
        };
        count += events.len();
        if let Some(entry) = pending.get_mut(&id) {
            entry.1.extend(events);
        }
    }
    for id in order {
        if let Some((version, events, _)) = pending.remove(&id) {
            if !events.is_empty() {
                out.push(StreamEvents {
                    stream_id: id,
                    expected: ExpectedVersion::Exact(version),
                    events,
                });
            }
        }
    }
    out
}

fn next_status(from: ActieStatus, rng: &mut Rng) -> (ActieStatus, Option<String>) {
    use ActieStatus::*;
    let reden = Some(REDENEN[rng.below(REDENEN.len())].to_owned());
    match from {
        Gepland => (Lopend, None),
        Lopend if rng.below(4) == 0 => (Afgerond, None),
        Lopend => (Gepauzeerd, None),
        Gepauzeerd => (Lopend, None),
        Afgerond => (Lopend, reden),
        Vervallen => (Gepland, reden),
    }
}

fn reflectie_on(model: &ReadModel, pools: &Pools, rng: &mut Rng) -> Option<Vec<Event>> {
    let (soort, id, agenda_id) = match rng.below(3) {
        0 => {
            let id = rng.pick(&pools.acties)?;
            (
                OnderwerpSoort::Actie,
                id,
                model.acties.get(&id)?.state.agenda_id,
            )
        }
        1 => {
            let id = rng.pick(&pools.doelen)?;
            (
                OnderwerpSoort::Doel,
                id,
                model.doelen.get(&id)?.state.agenda_id,
            )
        }
        _ => {
            let (id, _) = rng.pick(&pools.opgaven)?;
            (
                OnderwerpSoort::Opgave,
                id,
                model.opgaven.get(&id)?.state.agenda_id,
            )
        }
    };
    let fase = [PdcaFase::Plan, PdcaFase::Do, PdcaFase::Check, PdcaFase::Act][rng.below(4)];
    reflectie::add(ReflectieToegevoegd {
        agenda_id,
        over: Onderwerp { soort, id },
        auteur_organisatie_id: rng.pick(&pools.organisaties),
        fase,
        datum: rng.date(),
        wat_ging_goed: Some(
            "De samenwerking tussen de partners verloopt goed; iedereen weet wie wat doet.".into(),
        ),
        wat_kan_beter: Some("De terugkoppeling naar de inwoners kan sneller en concreter.".into()),
        volgende_stappen: Some(
            "In het volgende trekkersoverleg de planning en de communicatie afstemmen.".into(),
        ),
        tekst: None,
    })
    .ok()
}

fn ids_file(model: &ReadModel, pools: &Pools) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "head {}", model.position);
    for (index, id) in pools.agendas.iter().enumerate() {
        let _ = writeln!(out, "agenda {id} {index}");
    }
    for (id, agenda) in &pools.opgaven {
        let _ = writeln!(out, "opgave {id} {agenda}");
    }
    for id in &pools.acties {
        if let Some(a) = model.acties.get(id) {
            let _ = writeln!(out, "actie {id} {}", a.state.status.as_str());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_a_valid_store_of_the_asked_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ids = dir.path().join("ids.txt");
        run(DataArgs {
            data_dir: dir.path().join("store"),
            events: 3_000,
            ids: Some(ids.clone()),
            batch: 500,
            events_per_agenda: 1_000,
            seed: 7,
            durability: crate::event_store::Durability::Flush,
        })
        .expect("bench-data runs");
        // `run` closed its store, so the directory opens at once.
        let store =
            SledStore::open(dir.path().join("store"), SledOptions::default()).expect("reopen");
        let head = store.head();
        assert!((3_000..3_000 + 500).contains(&head), "head {head}");
        // Every event decodes and applies: the store replays like any other.
        let model = ReadModel::replay(&store, head).expect("replays");
        assert_eq!(model.agendas.len(), 3);
        assert!(model.reflecties.len() < head as usize / 5);
        let acties_with_news = model
            .acties
            .values()
            .filter(|a| !a.state.voortgangsberichten.is_empty())
            .count();
        assert!(acties_with_news > 0);
        let text = std::fs::read_to_string(ids).expect("ids file");
        assert!(text.starts_with(&format!("head {head}\n")));
        assert_eq!(text.lines().filter(|l| l.starts_with("agenda ")).count(), 3);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("actie ")).count(),
            model.acties.len()
        );
    }
}
