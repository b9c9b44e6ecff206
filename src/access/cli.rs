//! `mag-tracker token create`: the first beheerder token, issued against the
//! data directory while the server is stopped (the store's lock refuses a
//! second process). Prints the token once.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::bootstrap::{issue_as_system, NewToken};
use super::Rol;
use crate::event_store::{SledOptions, SledStore};

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
    /// What the token is for.
    #[arg(long, default_value = "aangemaakt met mag-tracker token create")]
    pub omschrijving: String,
    /// Expiry instant (RFC 3339, e.g. 2026-12-31T23:59:59Z); default none.
    #[arg(long)]
    pub verloopt: Option<DateTime<Utc>>,
    /// Directory holding the event store.
    #[arg(long, env = "MAG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// On an empty store, do not load the demo agenda first (as `serve` would).
    #[arg(long)]
    pub no_demo: bool,
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
pub fn create(args: CreateArgs) -> anyhow::Result<(Rol, super::bootstrap::IssuedToken)> {
    let rol = Rol::parse(&args.rol).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown role {:?}: use beheerder, programmamanager, partner or lezer",
            args.rol
        )
    })?;
    let store = SledStore::open(&args.data_dir, SledOptions::default()).with_context(|| {
        format!(
            "cannot open the store in {} (stop the server first)",
            args.data_dir.display()
        )
    })?;
    let store: Arc<dyn crate::event_store::EventStore> = Arc::new(store);
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
                        .find(|o| o.state.naam.eq_ignore_ascii_case(wanted))
                        .map(|o| o.id)
                });
            match found {
                Some(id) => (id, agendas),
                None => {
                    let mut names: Vec<_> = m
                        .organisaties
                        .values()
                        .map(|o| o.state.naam.clone())
                        .collect();
                    names.sort();
                    anyhow::bail!(
                        "no organisatie {wanted:?} in {}; known: {}",
                        args.data_dir.display(),
                        if names.is_empty() {
                            "none (register one first)".to_owned()
                        } else {
                            names.join(", ")
                        }
                    );
                }
            }
        };
        let issued = issue_as_system(
            &state.service,
            "system (mag-tracker token create)",
            NewToken {
                organisatie_id,
                rol,
                omschrijving: args.omschrijving.clone(),
                agendas,
                verloop: args.verloopt,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("the token was not created: {e}"))?;
        Ok((rol, issued))
    });
    // The directory is free for the next command when this returns.
    store.close();
    result
}
