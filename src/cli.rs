//! The command line: `serve` and the maintenance commands. Each command is a
//! thin wrapper around library code; errors are reported in plain language.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod token;

use crate::app::ServeArgs;
use crate::telemetry::{self, LogFormat};

/// mag-tracker keeps a Maatschappelijke Agenda (opgaven, doelen, acties,
/// trekkers, reflecties, metingen) as an immutable event log and serves it
/// over a REST API.
#[derive(Debug, Parser)]
#[command(name = "mag-tracker", version, about, long_about = None)]
pub struct Cli {
    /// Log format: human-readable text or JSON lines.
    #[arg(long, global = true, env = "MAG_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server. On an empty data directory the Twenterand demo
    /// agenda 2024 is loaded first (turn that off with --no-demo).
    Serve(ServeArgs),
    /// Print the OpenAPI description of the API (JSON) to standard output.
    Openapi,
    /// Import an agenda file (JSON, e.g. an export) or CSV: through a running
    /// server with --server, else straight into the (stopped) data directory.
    Import(crate::client::ImportArgs),
    /// Print one edition of the nieuwsbrief (the voortgang since a date or position).
    Nieuwsbrief(crate::client::NieuwsbriefArgs),
    /// Rebuild every projection from the log (progress and events/s on stderr).
    Replay(crate::maintenance::ReplayArgs),
    /// Check the log: gap-free positions, every event decodes, stream versions
    /// consecutive, indexes and idempotency records consistent. Exits non-zero
    /// with a report when something is wrong.
    Verify(crate::maintenance::VerifyArgs),
    /// Write every event as JSON Lines (from the data directory, or from a
    /// running server's feed with --server).
    ExportEvents(crate::maintenance::ExportArgs),
    /// Read JSON Lines from export-events into an empty store, keeping ids,
    /// positions and recorded times (--force: append to a non-empty store).
    ImportEvents(crate::maintenance::ImportArgs),
    /// Manage API tokens against the data directory (server stopped).
    Token(token::TokenArgs),
    /// Append under concurrent load and print each acknowledged append
    /// (used by the crash test; not for normal use).
    #[command(hide = true)]
    StoreLoad(crate::crash::LoadArgs),
    /// Raw sled group-commit ceiling (used by scripts/bench).
    #[command(hide = true)]
    BenchRaw(crate::bench::RawArgs),
    /// Fill a store with realistic bench data (used by scripts/bench).
    #[command(hide = true)]
    BenchData(crate::bench::DataArgs),
    /// Time a rebuild of the projections (used by scripts/bench).
    #[command(hide = true)]
    BenchReplay(crate::bench::ReplayArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(args) => crate::app::serve(args),
        Command::Openapi => {
            println!("{}", crate::http::openapi_json());
            Ok(())
        }
        Command::StoreLoad(args) => crate::crash::run_load(args),
        Command::Import(args) => crate::client::import(args),
        Command::Nieuwsbrief(args) => crate::client::nieuwsbrief(args),
        Command::Replay(args) => crate::maintenance::replay(args),
        Command::Verify(args) => crate::maintenance::verify(args),
        Command::ExportEvents(args) => crate::maintenance::export(args),
        Command::ImportEvents(args) => crate::maintenance::import(args),
        Command::Token(args) => token::run(args),
        Command::BenchRaw(args) => crate::bench::run_raw(args),
        Command::BenchData(args) => crate::bench::run_data(args),
        Command::BenchReplay(args) => crate::bench::run_replay(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mag-tracker: {error:#}");
            ExitCode::FAILURE
        }
    }
}
