//! Load generator for the crash test: appends atomic three-event batches from
//! many threads and prints `ACK <correlation id> <first> <last>` after each
//! acknowledged append, so a parent that kills this process with SIGKILL
//! knows exactly what was promised.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;
use uuid::Uuid;

use crate::event_store::{
    AppendRequest, ExpectedVersion, Metadata, NewEvent, SledOptions, StreamAppend,
};

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    #[arg(long)]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub database: crate::event_store::DatabaseArg,
    /// Concurrent appenders.
    #[arg(long, default_value_t = 16)]
    pub appenders: usize,
    /// Appends per appender (the process is normally killed long before).
    #[arg(long, default_value_t = 1_000_000)]
    pub appends: usize,
}

pub fn run_load(args: LoadArgs) -> anyhow::Result<()> {
    let store =
        crate::event_store::open_store(&args.data_dir, &args.database, SledOptions::default())?;
    let out = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    println!("READY");
    let threads: Vec<_> = (0..args.appenders)
        .map(|_| {
            let store = store.clone();
            let out = out.clone();
            std::thread::spawn(move || {
                let shared = Uuid::now_v7();
                for _ in 0..args.appends {
                    let correlation = Uuid::now_v7();
                    let own = Uuid::now_v7();
                    let request = AppendRequest {
                        streams: vec![
                            StreamAppend {
                                stream_id: own,
                                stream_type: "crash".into(),
                                expected: ExpectedVersion::NoStream,
                                events: vec![
                                    NewEvent::new("CrashA", 1, json!({ "c": correlation })),
                                    NewEvent::new("CrashB", 1, json!({ "c": correlation })),
                                ],
                            },
                            StreamAppend {
                                stream_id: shared,
                                stream_type: "crash".into(),
                                expected: ExpectedVersion::Any,
                                events: vec![NewEvent::new(
                                    "CrashC",
                                    1,
                                    json!({ "c": correlation }),
                                )],
                            },
                        ],
                        metadata: Metadata {
                            correlation_id: Some(correlation),
                            ..Metadata::default()
                        },
                        idempotency: None,
                    };
                    match store.append(request).wait() {
                        Ok(o) => {
                            let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
                            let _ = writeln!(
                                out,
                                "ACK {correlation} {} {}",
                                o.first_position, o.last_position
                            );
                            let _ = out.flush();
                        }
                        Err(e) => {
                            eprintln!("append failed: {e}");
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}
