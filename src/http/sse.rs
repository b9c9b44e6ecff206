//! Server-Sent Events for `GET /gebeurtenissen/stream`.
//!
//! Each connection gets one task that reads from the store (never sled's
//! `watch_prefix`, which can block writers) and waits on the store's head
//! `watch` channel when it has caught up. The task hands frames to the
//! response body through a small bounded channel: a slow consumer only slows
//! its own task, never the writer, which just replaces the watched head.
//!
//! Visibility is judged per event when it is sent, on the live model (an
//! agenda unpublished while the stream runs is hidden from then on), and a
//! stream whose token is revoked or expires ends within about a second with
//! an `event: einde` frame that says why.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use chrono::Utc;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::gebeurtenissen::{Filter, Gebeurtenis};
use crate::access::AuthError;
use crate::event_store::EventStore;
use crate::projections::Projection;

/// How often an idle stream sends a `: keep-alive` comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often a stream checks that its token is still valid (revocation,
/// expiry) while it waits; it also checks before every frame.
const TOKEN_CHECK: Duration = Duration::from_secs(1);
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

pub fn respond(
    store: Arc<dyn EventStore>,
    live: Arc<Projection>,
    after: u64,
    filter: Filter,
) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    actix_web::rt::spawn(pump(store, live, after, filter, tx));
    HttpResponse::Ok()
        .insert_header(("Content-Type", "text/event-stream"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .body(SseBody { rx })
}

/// Why a stream ends: its token was revoked or expired. The last frame
/// (`event: einde`) says which, with the same code a request would get.
fn ended(live: &Projection, token: Option<Uuid>) -> Option<AuthError> {
    let id = token?;
    let model = live.read();
    let Some(t) = model.tokens.get(&id) else {
        return Some(AuthError::Unknown);
    };
    if t.state.ingetrokken.is_some() {
        Some(AuthError::Revoked)
    } else if t.state.expired(Utc::now()) {
        Some(AuthError::Expired)
    } else {
        None
    }
}

fn closing(why: AuthError) -> Bytes {
    let data = serde_json::json!({ "code": why.code(), "detail": why.message() });
    Bytes::from(format!("event: einde\ndata: {data}\n\n"))
}

/// How long the closing frame waits for room when the client is behind.
const CLOSING_WAIT: Duration = Duration::from_secs(2);

/// Ends the stream with its `einde` frame. The channel may be full of
/// events the client has not read yet, so the frame waits for room (a
/// `try_send` would drop it and the stream would end without saying why);
/// a client that reads nothing for [`CLOSING_WAIT`] is cut off anyway.
async fn close_with(tx: &mpsc::Sender<Bytes>, why: AuthError) {
    let _ = tokio::time::timeout(CLOSING_WAIT, tx.send(closing(why))).await;
}

/// Sends a frame, waiting for room in the channel; gives up (`false`) when
/// the client went away or the token ended meanwhile (after the closing frame).
async fn send(
    tx: &mpsc::Sender<Bytes>,
    frame: Bytes,
    live: &Projection,
    token: Option<Uuid>,
) -> bool {
    loop {
        if let Some(why) = ended(live, token) {
            close_with(tx, why).await;
            return false;
        }
        tokio::select! {
            permit = tx.reserve() => match permit {
                Ok(permit) => {
                    permit.send(frame);
                    return true;
                }
                Err(_) => return false,
            },
            _ = tokio::time::sleep(TOKEN_CHECK) => {}
        }
    }
}

async fn pump(
    store: Arc<dyn EventStore>,
    live: Arc<Projection>,
    mut after: u64,
    filter: Filter,
    tx: mpsc::Sender<Bytes>,
) {
    let token = filter.caller().and_then(|c| c.token()).map(|t| t.token_id);
    let mut head = store.watch_head();
    let mut tick = tokio::time::interval(TOKEN_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut quiet_since = Instant::now();
    if !send(
        &tx,
        Bytes::from_static(b"retry: 2000\n: verbonden\n\n"),
        &live,
        token,
    )
    .await
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
                _ = tick.tick() => {
                    if let Some(why) = ended(&live, token) {
                        close_with(&tx, why).await;
                        return;
                    }
                    if quiet_since.elapsed() >= KEEP_ALIVE {
                        if !send(&tx, Bytes::from_static(b": keep-alive\n\n"), &live, token).await {
                            return;
                        }
                        quiet_since = Instant::now();
                    }
                }
                _ = tx.closed() => return,
            }
            continue;
        }
        for event in batch {
            after = event.position;
            // Judged now, at send time, on the live model: an agenda
            // unpublished since the stream began is hidden from here on.
            if filter.matches(&event) {
                if !send(&tx, frame(event.into()), &live, token).await {
                    return;
                }
                quiet_since = Instant::now();
            }
        }
    }
}
