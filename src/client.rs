//! `mag-tracker import` and `mag-tracker nieuwsbrief`: commands for people
//! who prefer a terminal to curl. `import` talks to a running server
//! (`--server`) or, when the server is stopped, writes to the data directory
//! directly through the same import path as the API. `nieuwsbrief` prints
//! one edition of the voortgang.
//!
//! The HTTP client is ureq without TLS: plain http to the server (which
//! itself serves plain http) keeps the dependency tree small; put an https
//! proxy in front for remote use.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use serde_json::Value;

use crate::event_store::{Actor, Metadata, SledOptions, StoreError};
use crate::import::apply::{self, ImportError, ImportResult, Source};
use crate::import::csv::CsvAgenda;
use crate::service::WriteContext;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The agenda file (JSON, `mag-tracker/agenda` v1, e.g. an export) or a CSV file.
    pub file: PathBuf,
    /// Import through this running server (e.g. http://127.0.0.1:8080) instead of
    /// writing to the data directory.
    #[arg(long)]
    pub server: Option<String>,
    /// API token for --server (`Authorization: Bearer`); a beheerder token.
    #[arg(long, env = "MAG_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Data directory to write to when no --server is given (the server must be stopped).
    #[arg(long, env = "MAG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Write to the log in PostgreSQL instead (servers may keep running on it).
    #[command(flatten)]
    pub database: crate::event_store::DatabaseArg,
    /// json or csv (default: from the file name's extension).
    #[arg(long)]
    pub formaat: Option<String>,
    /// CSV only: name of the new agenda.
    #[arg(long)]
    pub naam: Option<String>,
    /// CSV only: gemeente(n), comma separated.
    #[arg(long)]
    pub gemeenten: Option<String>,
    /// CSV only: first day of the agenda's period (YYYY-MM-DD).
    #[arg(long, value_parser = crate::domain::datum::parse_date_arg)]
    pub periode_start: Option<NaiveDate>,
    /// CSV only: last day of the agenda's period (YYYY-MM-DD).
    #[arg(long, value_parser = crate::domain::datum::parse_date_arg)]
    pub periode_eind: Option<NaiveDate>,
    /// CSV only: name of the groepering level (default themalijn).
    #[arg(long)]
    pub groeperingsniveau: Option<String>,
    /// CSV only: the uitvoeringsperiode per gemeente,
    /// `Gemeente:YYYY-MM-DD/YYYY-MM-DD`, comma-separated.
    #[arg(long)]
    pub uitvoeringsperioden: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct NieuwsbriefArgs {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long, env = "MAG_SERVER")]
    pub server: String,
    /// Id of the agenda.
    #[arg(long)]
    pub agenda: uuid::Uuid,
    /// First day of the edition (YYYY-MM-DD, Europe/Amsterdam).
    #[arg(
        long,
        conflicts_with = "sinds_positie",
        required_unless_present = "sinds_positie",
        value_parser = crate::domain::datum::parse_date_arg
    )]
    pub sinds: Option<NaiveDate>,
    /// Last day of the edition (default: up to now).
    #[arg(long, requires = "sinds", value_parser = crate::domain::datum::parse_date_arg)]
    pub tot: Option<NaiveDate>,
    /// Changes after this position (the totPositie the previous edition printed).
    #[arg(long)]
    pub sinds_positie: Option<u64>,
    /// markdown, html or json.
    #[arg(long, default_value = "markdown")]
    pub formaat: String,
    /// For one gemeente of a shared nota: its acties and those for the
    /// whole agenda.
    #[arg(long)]
    pub gemeente: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn base(server: &str) -> String {
    let s = server.trim_end_matches('/');
    s.strip_suffix("/v1").unwrap_or(s).to_owned()
}

/// Prints a problem+json answer in plain words and fails.
fn report_problem(status: u16, body: &str) -> anyhow::Error {
    match serde_json::from_str::<Value>(body) {
        Ok(p) => {
            let mut msg = format!(
                "{} ({status}): {}",
                p["title"].as_str().unwrap_or("Fout"),
                p["detail"].as_str().unwrap_or("")
            );
            for ip in p["invalidParams"].as_array().into_iter().flatten() {
                msg.push_str(&format!(
                    "\n  - {}: {}",
                    ip["name"].as_str().unwrap_or(""),
                    ip["reason"].as_str().unwrap_or("")
                ));
            }
            anyhow::anyhow!(msg)
        }
        Err(_) => anyhow::anyhow!("the server answered {status}: {body}"),
    }
}

fn print_result(r: &ImportResult) {
    println!(
        "{} agenda {}: {} organisaties, {} groeperingen, {} opgaven, {} doelen, {} acties, {} indicatoren (posities {}–{}).",
        if r.herhaald { "Al eerder geïmporteerd:" } else { "Aangemaakt:" },
        r.agenda_id,
        r.organisaties,
        r.groeperingen,
        r.opgaven,
        r.doelen,
        r.acties,
        r.indicatoren,
        r.eerste_positie,
        r.laatste_positie
    );
}

fn step(n: u32, text: &str) {
    eprintln!("[{n}/3] {text}");
    let _ = std::io::stderr().flush();
}

pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let is_csv = match args.formaat.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => bail!("--formaat {other}: choose json or csv"),
        None => args
            .file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")),
    };
    step(
        1,
        &format!("{} gelezen ({} bytes)", args.file.display(), bytes.len()),
    );
    match &args.server {
        Some(server) => import_remote(server, &args, &bytes, is_csv),
        None => import_local(&args, &bytes, is_csv),
    }
}

fn import_remote(
    server: &str,
    args: &ImportArgs,
    bytes: &[u8],
    is_csv: bool,
) -> anyhow::Result<()> {
    use sha2::{Digest, Sha256};
    let url = format!("{}/v1/agenda-imports", base(server));
    // The file's hash as Idempotency-Key: running the command twice creates nothing new.
    let key: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut req = agent()
        .post(&url)
        .header("Idempotency-Key", &format!("import-{key}"))
        .header(
            "Content-Type",
            if is_csv {
                "text/csv"
            } else {
                "application/json"
            },
        );
    if let Some(t) = &args.token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    if is_csv {
        let params = [
            ("naam", args.naam.clone()),
            ("gemeenten", args.gemeenten.clone()),
            (
                "periodeStartDatum",
                args.periode_start.map(|d| d.to_string()),
            ),
            ("periodeEindDatum", args.periode_eind.map(|d| d.to_string())),
            ("groeperingsniveau", args.groeperingsniveau.clone()),
            ("uitvoeringsperioden", args.uitvoeringsperioden.clone()),
        ];
        for (k, v) in params {
            if let Some(v) = v {
                req = req.query(k, &v);
            }
        }
    }
    step(2, &format!("controleren en aanmaken via {url}"));
    let mut res = req.send(bytes).with_context(|| {
        format!("cannot reach {url} (is the server running? only http:// is supported)")
    })?;
    let status = res.status().as_u16();
    let body = res.body_mut().read_to_string().unwrap_or_default();
    if status != 201 {
        return Err(report_problem(status, &body));
    }
    let r: Value = serde_json::from_str(&body)?;
    step(3, "klaar");
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(())
}

fn import_local(args: &ImportArgs, bytes: &[u8], is_csv: bool) -> anyhow::Result<()> {
    let source = if is_csv {
        let (Some(naam), Some(gemeenten), Some(start), Some(eind)) = (
            args.naam.clone(),
            args.gemeenten.clone(),
            args.periode_start,
            args.periode_eind,
        ) else {
            bail!("a CSV import needs --naam, --gemeenten, --periode-start and --periode-eind");
        };
        Source::Csv(
            bytes,
            CsvAgenda {
                naam,
                gemeenten: gemeenten
                    .split(',')
                    .map(|g| g.trim().to_owned())
                    .filter(|g| !g.is_empty())
                    .collect(),
                periode_start_datum: start,
                periode_eind_datum: eind,
                groeperingsniveau: args.groeperingsniveau.clone(),
                uitvoeringsperioden: crate::import::csv::parse_uitvoeringsperioden(
                    args.uitvoeringsperioden.as_deref().unwrap_or(""),
                )
                .map_err(|reason| anyhow::anyhow!(reason))?,
            },
        )
    } else {
        match crate::http::agendabestand::lees(bytes) {
            Ok(file) => Source::Json(file),
            Err(problem) => {
                let errors = problem.invalid_params.into_iter().map(|p| {
                    let field = p.name.strip_prefix("body.").unwrap_or(&p.name).to_owned();
                    (field, p.reason)
                });
                bail!(rejected(errors.collect()))
            }
        }
    };
    let store = match crate::event_store::open_store(
        &args.data_dir,
        &args.database,
        SledOptions::default(),
    ) {
        Ok(s) => s,
        Err(e @ StoreError::Locked { .. }) => {
            bail!("{e}\nStop the server first, or import through it with --server http://127.0.0.1:8080")
        }
        Err(e) => {
            return Err(e).context(format!(
                "cannot open the store in {}",
                args.data_dir.display()
            ))
        }
    };
    let state = crate::app::open_state_offline(store.clone(), &args.data_dir)?;
    step(
        2,
        &format!("controleren en schrijven naar {}", args.data_dir.display()),
    );
    let ctx = WriteContext {
        metadata: Metadata {
            actor: Actor::system("mag-tracker import (command line)"),
            correlation_id: Some(uuid::Uuid::now_v7()),
            toelichting: Some(format!("Import van {}", args.file.display())),
            ..Metadata::default()
        },
        ..WriteContext::default()
    };
    let result = actix_web::rt::System::new().block_on(apply::run(&state.service, source, ctx));
    drop(state);
    store.close();
    match result {
        Ok(r) => {
            step(3, "klaar");
            print_result(&r);
            Ok(())
        }
        Err(ImportError::Invalid(errors)) => bail!(rejected(
            errors.into_iter().map(|e| (e.field, e.message)).collect()
        )),
        Err(ImportError::Service(e)) => bail!("the import failed, nothing was created: {e}"),
    }
}

/// The message of a refused import: every problem, with the field it is about.
fn rejected(errors: Vec<(String, String)>) -> String {
    let mut msg = format!(
        "Import afgewezen: {} {}; er is niets aangemaakt.",
        errors.len(),
        if errors.len() == 1 {
            "probleem"
        } else {
            "problemen"
        }
    );
    for (field, message) in errors {
        msg.push_str(&format!("\n  - {field}: {message}"));
    }
    msg
}

pub fn nieuwsbrief(args: NieuwsbriefArgs) -> anyhow::Result<()> {
    if !matches!(args.formaat.as_str(), "markdown" | "html" | "json") {
        bail!("--formaat {}: choose markdown, html or json", args.formaat);
    }
    let url = format!(
        "{}/v1/agendas/{}/voortgang",
        base(&args.server),
        args.agenda
    );
    let mut req = agent().get(&url).query("formaat", &args.formaat);
    if let Some(d) = args.sinds {
        req = req.query("sinds", d.to_string());
    }
    if let Some(d) = args.tot {
        req = req.query("tot", d.to_string());
    }
    if let Some(p) = args.sinds_positie {
        req = req.query("sindsPositie", p.to_string());
    }
    if let Some(g) = &args.gemeente {
        req = req.query("gemeente", g);
    }
    let mut res = req.call().with_context(|| {
        format!("cannot reach {url} (is the server running? only http:// is supported)")
    })?;
    let status = res.status().as_u16();
    let tot = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(|e| e.trim_start_matches("W/").trim_matches('"').to_owned());
    let body = res.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        return Err(report_problem(status, &body));
    }
    print!("{body}");
    if let Some(t) = tot {
        eprintln!("Volledig tot en met positie {t}; de volgende editie: --sinds-positie {t}");
    }
    Ok(())
}
