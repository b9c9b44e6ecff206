//! Server-Sent Events for `GET /gebeurtenissen/stream`.
//!
//! Each connection gets one task that reads from the store (never sled's
//! `watch_prefix`, which can block writers) and waits on the store's head
//! `watch` channel when it has caught up. The task hands frames to the
//! response body through a small bounded channel: a slow consumer only slows
//! its own task, never the writer, which just replaces the watched head.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use tokio::sync::mpsc;

use super::gebeurtenissen::{Filter, Gebeurtenis};
use crate::event_store::EventStore;

/// How often an idle stream sends a `: keep-alive` comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Events read from the store per batch.
const BATCH: usize = 256;

/// The streaming response body: frames from the connection's task.
struct SseBody {
    rx: mpsc::Receiver<Bytes>,
}

impl MessageBody for SseBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.rx.poll_recv(cx).map(|frame| frame.map(Ok))
    }
}

/// One SSE frame: `id:` is the position, `data:` the envelope as one JSON line.
pub fn frame(event: Gebeurtenis) -> Bytes {
    let id = event.positie;
    let json = serde_json::to_string(&event).unwrap_or_default();
    Bytes::from(format!("id: {id}\ndata: {json}\n\n"))
}

pub fn respond(store: Arc<dyn EventStore>, after: u64, filter: Filter) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    actix_web::rt::spawn(pump(store, after, filter, tx));
    HttpResponse::Ok()
        .insert_header(("Content-Type", "text/event-stream"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .body(SseBody { rx })
}

async fn pump(store: Arc<dyn EventStore>, mut after: u64, filter: Filter, tx: mpsc::Sender<Bytes>) {
    let mut head = store.watch_head();
    if tx
        .send(Bytes::from_static(b"retry: 2000\n: verbonden\n\n"))
        .await
        .is_err()
    {
        return;
    }
    loop {
        // Mark the current head as seen before reading, so an append that
        // lands after the read still wakes us.
        head.borrow_and_update();
        let batch = match store.read_all(after, BATCH) {
            Ok(b) => b,
            Err(error) => {
                tracing::error!(%error, "event stream could not read the log");
                return;
            }
        };
        if batch.is_empty() {
            tokio::select! {
                changed = head.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(KEEP_ALIVE) => {
                    if tx.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                        return;
                    }
                }
                _ = tx.closed() => return,
            }
            continue;
        }
        for event in batch {
            after = event.position;
            if filter.matches(&event) && tx.send(frame(event.into())).await.is_err() {
                return;
            }
        }
    }
}
