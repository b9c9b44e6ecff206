//! Follows the log: what any node commits reaches this node's cache and
//! listeners (its read model) in position order. `LISTEN` wakes it at once;
//! a poll every `interval` makes a lost notification (or a reconnect) only a
//! delay. While PostgreSQL is away it retries, and reads go on from memory.

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::Config;

use super::sql;
use super::Shared;

pub(super) async fn run(shared: Arc<Shared>, config: Config, interval: Duration) {
    let mut warned = false;
    loop {
        if let Err(error) = follow(&shared, &config, interval, &mut warned).await {
            // Said once per outage, not once per retry.
            if !warned {
                tracing::warn!(%error, "following the log stopped; retrying");
                warned = true;
            }
        }
        tokio::time::sleep(interval.min(Duration::from_millis(500))).await;
    }
}

async fn follow(
    shared: &Shared,
    config: &Config,
    interval: Duration,
    warned: &mut bool,
) -> Result<(), super::StoreError> {
    let (client, mut notified) = sql::connect(config).await?;
    client
        .batch_execute("LISTEN mag_events")
        .await
        .map_err(sql::unavailable)?;
    if std::mem::take(warned) {
        tracing::info!("following the log again");
    }
    loop {
        shared.catch_up(&client, u64::MAX).await?;
        tokio::select! {
            woke = notified.recv() => {
                if woke.is_none() {
                    return Err(super::StoreError::Unavailable("the connection ended".into()));
                }
                // Several commits may have notified: one read covers them all.
                while notified.try_recv().is_ok() {}
            }
            _ = tokio::time::sleep(interval) => {}
        }
        if client.is_closed() {
            return Err(super::StoreError::Unavailable(
                "the connection ended".into(),
            ));
        }
    }
}
