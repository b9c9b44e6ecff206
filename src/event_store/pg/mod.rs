//! The PostgreSQL store: the log in one table, shared by any number of
//! nodes (see docs/adr/0007-event-store-on-postgresql.md).
//!
//! Each node keeps a copy of the log in memory ([`cache::Cache`]), filled
//! only from what PostgreSQL committed, in position order: the trait's
//! synchronous reads are served from it, and staging decides against it.
//! An append group runs in one transaction that first locks the single
//! `mag_head` row (so appends of all nodes serialise there and positions are
//! gap-free and in commit order), catches the copy up to the database's head
//! while holding that lock, stages with the same rules as the other stores,
//! inserts, moves the head, `NOTIFY`s and commits with `synchronous_commit =
//! on`. A follower task per node `LISTEN`s and reads by position what other
//! nodes commit; it also polls, so a lost notification only delays.

mod cache;
mod follower;
mod import;
mod sql;
mod tls;
mod writer;

use std::ops::ControlFlow;
use std::sync::{mpsc as std_mpsc, Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use super::staging::{decode, IdempotencyRecord};
use super::{
    AppendOutcome, AppendRequest, CommitListener, EventStore, PendingAppend, RecordedEvent,
    StoreError, StoreResult,
};
use cache::Cache;
pub use import::{create_database, drop_database, import_events_pg};
pub(crate) use sql::config;
/// For the webhook store's tables in the same database (`src/webhooks/opslag/pg.rs`).
pub(crate) use sql::{connect, Target};

/// Settings of a [`PgStore`].
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Most appends one transaction takes.
    pub max_group: usize,
    /// How often the follower reads the log when no notification came.
    pub poll_interval: Duration,
    /// Longest an append group may take in PostgreSQL before it is refused
    /// (and the connection dropped).
    pub append_timeout: Duration,
    /// The PEM file of the CA(s) that sign the server's certificate, when
    /// the connection string's `sslmode` asks for TLS; `None`: the system's
    /// CA store.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_group: 512,
            poll_interval: Duration::from_secs(1),
            append_timeout: Duration::from_secs(10),
            ca_file: None,
        }
    }
}

pub(super) struct Shared {
    cache: RwLock<Cache>,
    /// Held while events are added to the cache and listeners are told,
    /// so they see commits once each and in order.
    apply: Mutex<()>,
    head: watch::Sender<u64>,
    listeners: super::Listeners,
}

impl Shared {
    fn cache_head(&self) -> u64 {
        self.cache.read().unwrap_or_else(|e| e.into_inner()).head()
    }

    /// Adds committed events (skipping any the cache has) and their
    /// idempotency records, tells the listeners, publishes the head.
    fn apply(
        &self,
        events: Vec<(RecordedEvent, Box<[u8]>)>,
        keys: Vec<(String, IdempotencyRecord)>,
    ) -> StoreResult<()> {
        let _order = self.apply.lock().unwrap_or_else(|e| e.into_inner());
        let mut fresh = Vec::with_capacity(events.len());
        {
            let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
            for (record, bytes) in events {
                if record.position <= cache.head() {
                    continue;
                }
                cache.push(&record, bytes)?;
                fresh.push(record);
            }
            for (key, record) in keys {
                cache.insert_key(key, record);
            }
        }
        if let Some(last) = fresh.last().map(|e| e.position) {
            self.listeners.tell(&fresh);
            self.head.send_replace(last);
        }
        Ok(())
    }

    /// Reads what was committed after the cache's head (up to `until`) and
    /// applies it.
    async fn catch_up(
        &self,
        client: &impl tokio_postgres::GenericClient,
        until: u64,
    ) -> StoreResult<()> {
        const CHUNK: i64 = 5_000;
        loop {
            let after = self.cache_head();
            let events = sql::fetch_events(client, after, until, CHUNK).await?;
            let Some(last) = events.last().map(|(e, _)| e.position) else {
                return Ok(());
            };
            let full = events.len() as i64 == CHUNK;
            let keys = sql::fetch_keys(client, after, last).await?;
            self.apply(events, keys)?;
            if !full {
                return Ok(());
            }
        }
    }
}

/// The event store on PostgreSQL.
pub struct PgStore {
    shared: Arc<Shared>,
    sender: RwLock<Option<mpsc::UnboundedSender<writer::Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    imported_through: u64,
}

impl PgStore {
    /// Connects, creates the schema if missing, loads the log into memory
    /// and starts the writer and the follower. Fails with `Unavailable` when
    /// the database cannot be reached.
    pub fn open(url: &str, options: PgOptions) -> StoreResult<Self> {
        let config = sql::Target::new(url, options.ca_file.as_deref())?;
        let shared = Arc::new(Shared {
            cache: RwLock::new(Cache::default()),
            apply: Mutex::new(()),
            head: watch::channel(0).0,
            listeners: Default::default(),
        });
        let (sender, receiver) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std_mpsc::channel::<StoreResult<u64>>();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("pg-event-store".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(StoreError::Unavailable(e.to_string())));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let client = match load(&config, &thread_shared).await {
                        Ok(loaded) => loaded,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let imported = client.1;
                    let _ = ready_tx.send(Ok(imported));
                    tokio::spawn(follower::run(
                        thread_shared.clone(),
                        config.clone(),
                        options.poll_interval,
                    ));
                    writer::Writer::new(thread_shared, config, client.0, options)
                        .run(receiver)
                        .await;
                });
            })
            .map_err(|e| StoreError::Unavailable(format!("cannot start a thread: {e}")))?;
        let imported_through = ready_rx.recv().unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "the PostgreSQL store's thread stopped".into(),
            ))
        });
        let imported_through = match imported_through {
            Ok(n) => n,
            Err(e) => {
                let _ = thread.join();
                return Err(e);
            }
        };
        Ok(Self {
            shared,
            sender: RwLock::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
            imported_through,
        })
    }

    fn cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.shared.cache.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Connects, migrates and loads the whole log; returns the connection (the
/// writer's first) and `imported_through`.
async fn load(config: &sql::Target, shared: &Shared) -> StoreResult<(tokio_postgres::Client, u64)> {
    let (client, _) = sql::connect(config).await?;
    sql::migrate(&client).await?;
    let row = client
        .query_one("SELECT position, imported_through FROM mag_head", &[])
        .await
        .map_err(sql::unavailable)?;
    let (head, imported): (i64, i64) = (row.get(0), row.get(1));
    shared.catch_up(&client, head as u64).await?;
    if shared.cache_head() != head as u64 {
        return Err(StoreError::Corrupt(format!(
            "the head row says position {head}, the events table ends at {}",
            shared.cache_head()
        )));
    }
    Ok((client, imported as u64))
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.close();
    }
}

impl EventStore for PgStore {
    fn append(&self, request: AppendRequest) -> PendingAppend {
        let (reply, pending) = PendingAppend::channel();
        let sender = self.sender.read().unwrap_or_else(|e| e.into_inner());
        match sender.as_ref() {
            Some(s) => {
                if let Err(mpsc::error::SendError(job)) = s.send(writer::Job { request, reply }) {
                    let _ = job.reply.send(Err(StoreError::Unavailable(
                        "the store's writer stopped".into(),
                    )));
                }
            }
            None => {
                let _ = reply.send(Err(StoreError::Unavailable("the store is closed".into())));
            }
        }
        pending
    }

    fn head(&self) -> u64 {
        *self.shared.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<u64> {
        self.shared.head.subscribe()
    }

    fn stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        use super::staging::StoreView;
        self.cache().stored_stream_version(stream_id)
    }

    fn read_stream(
        &self,
        stream_id: Uuid,
        from_version: u64,
        limit: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let positions = self
            .cache()
            .stream_positions(stream_id, from_version, limit);
        positions
            .into_iter()
            .map(|p| {
                self.event_at(p)?.ok_or_else(|| {
                    StoreError::Corrupt(format!("stream index points at missing position {p}"))
                })
            })
            .collect()
    }

    fn scan(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(RecordedEvent) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        super::staging::scan_decoded(|g| self.scan_stored(after, until, g), f)
    }

    fn scan_stored(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        let until = until.min(self.head());
        let mut position = after;
        while position < until {
            // Copy in chunks so a slow callback never holds the lock for long.
            let chunk: Vec<Box<[u8]>> = {
                let cache = self.cache();
                (position + 1..=until.min(position + 1024))
                    .map_while(|p| cache.bytes_at(p).map(Box::from))
                    .collect()
            };
            if chunk.is_empty() {
                return Err(StoreError::Corrupt(format!(
                    "position {} is missing",
                    position + 1
                )));
            }
            for bytes in chunk {
                position += 1;
                if f(position, &bytes).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn event_at(&self, position: u64) -> StoreResult<Option<RecordedEvent>> {
        if position > self.head() {
            return Ok(None);
        }
        self.cache().bytes_at(position).map(decode).transpose()
    }

    fn add_listener(&self, listener: Arc<dyn CommitListener>) {
        self.shared.listeners.add(listener);
    }

    fn idempotency_record(&self, key: &str) -> StoreResult<Option<(String, AppendOutcome)>> {
        Ok(self.cache().idempotency(key))
    }

    fn imported_through(&self) -> StoreResult<u64> {
        Ok(self.imported_through)
    }

    fn close(&self) {
        self.sender
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}
