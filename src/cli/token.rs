//! `mag-tracker token create`: the first beheerder token, issued against the
//! data directory while the server is stopped (the store's lock refuses a
//! second process). Prints the token once.

use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::bootstrap::{issue_as_system, issue_with_first_organisatie, NewToken};
use crate::access::Rol;
use crate::domain::organisatie::OrganisatieSoort;
use crate::event_store::SledOptions;

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Issue a token and print it once (stop the server first).
    Create(CreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// beheerder, programmamanager, partner or lezer.
    #[arg(long)]
    pub rol: String,
    /// The organisatie the token belongs to: its name or id.
    #[arg(long)]
    pub organisatie: String,
    /// For a programmamanager: an agenda it manages (repeatable).
    #[arg(long = "agenda")]
    pub agendas: Vec<Uuid>,
    /// For a programmamanager: every agenda in the store now (e.g. the demo).
    #[arg(long, conflicts_with = "agendas")]
    pub alle_agendas: bool,
    /// For a programmamanager: scope the token to this gemeente of its
    /// agendas (it then creates and changes only that gemeente's acties).
    #[arg(long)]
    pub gemeente: Option<String>,
    /// What the token is for.
    #[arg(long, default_value = "aangemaakt met mag-tracker token create")]
    pub omschrijving: String,
    /// Expiry instant (RFC 3339 with a time zone, e.g. 2026-12-31T23:59:59Z,
    /// up to 2200-12-31); default none.
    #[arg(long, value_parser = crate::domain::datum::parse_instant_arg)]
    pub verloopt: Option<DateTime<Utc>>,
    /// Directory holding the event store.
    #[arg(long, env = "MAG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The log is in PostgreSQL (servers may keep running on it).
    #[command(flatten)]
    pub database: crate::event_store::DatabaseArg,
    /// On an empty store, do not load the demo agenda first (as `serve` would).
    #[arg(long)]
    pub no_demo: bool,
    /// The soort of the organisatie a beheerder token registers on a store
    /// without organisaties (gemeente, overheid, welzijn, …, overig).
    #[arg(long, default_value = "gemeente")]
    pub soort: String,
}

pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    let TokenCommand::Create(args) = args.command;
    let (rol, issued) = create(args)?;
    eprintln!(
        "Created {} token {}. It is shown only now; keep it safe:",
        rol.as_str(),
        issued.id
    );
    println!("{}", issued.secret.expose());
    Ok(())
}

/// Issues the token (the command without its output).
pub fn create(args: CreateArgs) -> anyhow::Result<(Rol, crate::access::bootstrap::IssuedToken)> {
    let rol = Rol::parse(&args.rol).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown role {:?}: use beheerder, programmamanager, partner or lezer",
            args.rol
        )
    })?;
    let store =
        crate::event_store::open_store(&args.data_dir, &args.database, SledOptions::default())
            .with_context(|| match args.database.url() {
                Some(url) => format!(
                    "cannot open the store in PostgreSQL ({})",
                    crate::event_store::describe(url)
                ),
                None => format!(
                    "cannot open the store in {} (stop the server first)",
                    args.data_dir.display()
                ),
            })?;
    let state = crate::app::open_state_offline(store.clone(), &args.data_dir)?;
    let result = actix_web::rt::System::new().block_on(async move {
        if !args.no_demo && state.store.head() == 0 {
            crate::app::load_demo(&state).await?;
        }
        let (organisatie_id, agendas) = {
            let m = state.projection.read();
            let agendas = if args.alle_agendas {
                let mut all: Vec<Uuid> = m.agendas.keys().copied().collect();
                all.sort();
                all
            } else {
                args.agendas.clone()
            };
            let wanted = args.organisatie.trim();
            let found = Uuid::parse_str(wanted)
                .ok()
                .filter(|id| m.organisaties.contains_key(id))
                .or_else(|| {
                    m.organisaties
                        .values()
                        .find(|o| crate::domain::naam::same(&o.state.naam, wanted))
                        .map(|o| o.id)
                });
            match found {
                Some(id) => (Some(id), agendas),
                None if m.organisaties.is_empty() => (None, agendas),
                None => {
                    let mut names: Vec<_> = m
                        .organisaties
                        .values()
                        .map(|o| o.state.naam.clone())
                        .collect();
                    names.sort();
                    anyhow::bail!(
                        "no organisatie {wanted:?} in {}; known: {}. Use one of these names \
                         (or an id); register further organisaties over the API \
                         (POST /v1/organisaties) with a beheerder token",
                        args.data_dir.display(),
                        names.join(", ")
                    );
                }
            }
        };
        let new = NewToken {
            organisatie_id: organisatie_id.unwrap_or_else(Uuid::nil),
            rol,
            omschrijving: args.omschrijving.clone(),
            agendas,
            verloop: args.verloopt,
            gemeente: args.gemeente.clone(),
        };
        let issued = match organisatie_id {
            Some(_) => issue_as_system(&state.service, "system (mag-tracker token create)", new)
                .await
                .map_err(|e| anyhow::anyhow!("the token was not created: {}", explain(e)))?,
            None => bootstrap(&state, &args, new).await?,
        };
        Ok((rol, issued))
    });
    // The directory is free for the next command when this returns.
    store.close();
    result
}

/// A store without any organisatie: the first beheerder token registers its
/// own organisatie, in the same append (see [`issue_with_first_organisatie`]).
async fn bootstrap(
    state: &crate::app::AppState,
    args: &CreateArgs,
    new: NewToken,
) -> anyhow::Result<crate::access::bootstrap::IssuedToken> {
    let naam = args.organisatie.trim();
    if new.rol != Rol::Beheerder {
        anyhow::bail!(
            "the store in {} has no organisatie yet: create the first token with \
             --rol beheerder --organisatie \"<name>\", which registers that organisatie",
            args.data_dir.display()
        );
    }
    if naam.is_empty() || Uuid::parse_str(naam).is_ok() {
        anyhow::bail!(
            "the store in {} has no organisatie yet: give the name of the first one \
             (e.g. --organisatie \"Gemeente X\"), not an id",
            args.data_dir.display()
        );
    }
    let soort: OrganisatieSoort = serde_json::from_value(serde_json::json!(args.soort.trim()))
        .map_err(|_| {
            anyhow::anyhow!(
                "unknown soort {:?}: use gemeente, overheid, welzijn, zorg, jeugdbescherming, \
                 onderwijs, kinderopvang, sport, cultuur, bibliotheek, woningcorporatie, \
                 inwonersgroep, samenwerkingsverband, bedrijf or overig",
                args.soort
            )
        })?;
    let (id, issued) = issue_with_first_organisatie(&state.service, naam, soort, new)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "the token was not created (and no organisatie registered): {}",
                explain(e)
            )
        })?;
    eprintln!(
        "Registered organisatie {:?} ({id}): the store had none.",
        crate::domain::naam::normalise(naam)
    );
    Ok(issued)
}

/// A refusal in words: each invalid field with its reason, not only a count.
fn explain(e: crate::service::ServiceError) -> String {
    match e {
        crate::service::ServiceError::Domain(crate::domain::DomainError::Invalid(fields)) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
