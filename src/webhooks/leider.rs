//! Exactly one node delivers (PostgreSQL, several nodes): the node that
//! holds a session advisory lock on a connection of its own. The others
//! try to take it every [`RETRY`]. The holder checks its lock connection
//! every [`PING`] (a query that must answer within [`PING_WITHIN`]); when
//! the connection ends or does not answer, it stops every delivery task at
//! once, and PostgreSQL releases the lock when the session ends, so another
//! node takes over from the shared cursors.
//!
//! The deliveries of one leadership term run on a thread of their own, on a
//! tokio `LocalSet` that is dropped when the term ends: that cancels every
//! task and every request in flight (a request cancelled after the
//! receiver took it is repeated by the next leader: at least once). See
//! `docs/adr/0009-webhooks-on-several-nodes.md` for the failover window.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::Webhooks;
use crate::event_store::{pg_connect, PgTarget};
use crate::http::AppState;

/// The advisory lock key of "this node delivers webhooks" (the schema lock
/// of the event store is 727472).
const LOCK: i64 = 727_473;
/// How often a node without the lock tries to take it.
pub(crate) const RETRY: Duration = Duration::from_secs(2);
/// How often the holder checks its lock connection ...
const PING: Duration = Duration::from_secs(1);
/// ... and how long the check may take before the node gives up the lead.
const PING_WITHIN: Duration = Duration::from_secs(3);

/// Tries to hold the lock forever; `leader` says whether this node does.
pub(crate) async fn elect(target: PgTarget, leader: watch::Sender<bool>) {
    let mut warned = false;
    loop {
        match hold(&target, &leader).await {
            Ok(()) => warned = false,
            Err(error) => {
                if !warned {
                    tracing::warn!(%error, "webhook leader election: no connection; retrying");
                    warned = true;
                }
            }
        }
        if leader.send_replace(false) {
            tracing::warn!("lost the webhook delivery lock: this node stopped delivering");
        }
        if leader.is_closed() {
            return;
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// One lock connection: tries the lock until it is held, then checks the
/// connection until it fails. Returns when the connection is gone.
async fn hold(target: &PgTarget, leader: &watch::Sender<bool>) -> Result<(), String> {
    let (client, mut ended) = pg_connect(target).await.map_err(|e| e.to_string())?;
    // PostgreSQL ends this session (and frees the lock) ~11 s after the node
    // went silent, not after the OS default of two hours; the node itself
    // gives up within PING + PING_WITHIN, before that. Over a Unix socket
    // these settings do nothing, and there is no network to lose.
    if let Err(error) = client
        .batch_execute(
            "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; \
             SET tcp_keepalives_count = 3",
        )
        .await
    {
        tracing::debug!(%error, "keepalives of the webhook lock connection not set");
    }
    loop {
        let tried = tokio::time::timeout(
            PING_WITHIN,
            client.query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK]),
        )
        .await;
        let held: bool = match tried {
            Ok(Ok(row)) => row.get(0),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("PostgreSQL did not answer".into()),
        };
        if held {
            break;
        }
        tokio::select! {
            _ = ended.recv() => return Ok(()),
            _ = tokio::time::sleep(RETRY) => {}
        }
        if leader.is_closed() {
            return Ok(());
        }
    }
    tracing::info!("this node holds the webhook delivery lock: it delivers");
    leader.send_replace(true);
    loop {
        tokio::select! {
            // The connection's task ended: the session, and the lock, are gone.
            _ = ended.recv() => return Ok(()),
            _ = tokio::time::sleep(PING) => {}
        }
        let ping = tokio::time::timeout(PING_WITHIN, client.simple_query("SELECT 1")).await;
        if !matches!(ping, Ok(Ok(_))) || leader.is_closed() {
            // Dropping the client closes the session, which releases the lock.
            return Ok(());
        }
    }
}

/// Runs the deliveries whenever `leader` says this node holds the lock.
pub(crate) fn deliver_while_leader(
    wh: Arc<Webhooks>,
    state: AppState,
    mut leader: watch::Receiver<bool>,
) {
    let spawned = std::thread::Builder::new()
        .name("webhook-deliveries".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(error) => {
                    return tracing::error!(%error, "webhook deliveries cannot start");
                }
            };
            loop {
                if runtime.block_on(leader.wait_for(|l| *l)).is_err() {
                    return;
                }
                let term = tokio::task::LocalSet::new();
                runtime.block_on(term.run_until(async {
                    super::worker::start(wh.clone(), state.clone());
                    let _ = leader.wait_for(|l| !*l).await;
                }));
                // Cancels every delivery task and request of this term.
                drop(term);
                // What the term recorded in `afleveringen` and not yet wrote.
                if let Err(error) = wh.opslag().map(|o| o.sync()) {
                    tracing::warn!(%error, "could not write the last webhook deliveries");
                }
                tracing::info!("webhook deliveries stopped on this node");
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "webhook deliveries cannot start: no thread");
    }
}
