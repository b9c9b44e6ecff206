//! The delivery tasks. A supervisor keeps one task per active subscription
//! (started when one becomes active, ending when it is paused or deleted).
//! Each task takes the events after its cursor from the shared [`Tail`]
//! (the log read and decoded once for all tasks), judges a batch at a time
//! with the feed's own [`Filter`] for the subscription's token on the live
//! model, and POSTs the ones that pass one at a time, retrying the same
//! event until a 2xx (then the cursor moves: [`super::cursors`]) or until
//! the subscription is paused. All tasks run on one thread, apart from the
//! HTTP workers (the server's main actix thread; on PostgreSQL the elected
//! node's delivery thread, see `leider.rs`), and share a semaphore that caps
//! requests in flight; retries may hold at most half of it, so endpoints
//! that are down never take the capacity of the ones that answer.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::adres::{self, Geweigerd};
use super::opslag::{Aflevering, Cursor, Opslag};
use super::tail::Tail;
use super::{cloudevent, cursors, signing, Webhooks};
use crate::domain::abonnement::{Abonnement, AbonnementCommand, AbonnementStatus, PauzeCode};
use crate::event_store::{Actor, Metadata, RecordedEvent};
use crate::http::gebeurtenissen::Filter;
use crate::http::AppState;
use crate::service::WriteContext;

/// Events judged per batch.
const BATCH: usize = 256;
/// How much of a response body is kept.
const EXCERPT: usize = 256;
/// After the log grew, a waiting task waits this much longer before it
/// looks, so that the events of several group commits come in one look:
/// at most one look (a secret and a cursor read, on PostgreSQL round trips)
/// per task per 10 ms instead of one per commit.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

pub fn start(wh: Arc<Webhooks>, state: AppState) {
    // rustls on ring (ADR 0008: no aws-lc build); an Err means another part
    // of the process installed a provider first, which is fine.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let t = wh.instellingen.toegestaan;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(wh.instellingen.connect_timeout)
        .timeout(wh.instellingen.timeout)
        .dns_resolver(adres::resolver(t))
        .user_agent(concat!("mag-tracker-webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    let client = match client {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(%error, "webhook deliveries cannot start: no HTTP client");
            return;
        }
    };
    let n = wh.instellingen.gelijktijdig.max(1);
    let cap = Arc::new(Semaphore::new(n));
    let retry_cap = Arc::new(Semaphore::new((n / 2).max(1)));
    let tail = Arc::new(Tail::new(state.store.clone()));
    if let Ok(o) = wh.opslag().cloned() {
        actix_web::rt::spawn(sync_cursors(o));
    }
    actix_web::rt::spawn(supervise(Shared {
        wh,
        state,
        client,
        cap,
        retry_cap,
        tail,
    }));
}

/// Makes the cursors durable and stores the recorded deliveries a few
/// times a second (off the runtime thread).
async fn sync_cursors(o: Arc<Opslag>) {
    loop {
        tokio::time::sleep(cursors::SYNC_EVERY).await;
        let o = o.clone();
        match tokio::task::spawn_blocking(move || o.sync()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::error!(%error, "could not save the webhook cursors and deliveries")
            }
            Err(_) => return,
        }
    }
}

#[derive(Clone)]
struct Shared {
    wh: Arc<Webhooks>,
    state: AppState,
    client: reqwest::Client,
    cap: Arc<Semaphore>,
    /// Taken as well by a retry: at most half of `cap`.
    retry_cap: Arc<Semaphore>,
    tail: Arc<Tail>,
}

fn active(a: &Abonnement) -> bool {
    a.status == AbonnementStatus::Actief && !a.verwijderd
}

async fn supervise(s: Shared) {
    let mut head = s.state.store.watch_head();
    let mut running: HashMap<Uuid, actix_web::rt::task::JoinHandle<()>> = HashMap::new();
    tracing::info!("webhook deliveries started");
    loop {
        head.borrow_and_update();
        let ids: Vec<Uuid> = s
            .state
            .projection
            .read()
            .abonnementen
            .values()
            .filter(|a| active(&a.state))
            .map(|a| a.id)
            .collect();
        running.retain(|_, h| !h.is_finished());
        for id in ids {
            running
                .entry(id)
                .or_insert_with(|| actix_web::rt::spawn(deliver_all(s.clone(), id)));
        }
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
        }
    }
}

fn current(s: &Shared, id: Uuid) -> Option<Abonnement> {
    s.state
        .projection
        .read()
        .abonnementen
        .get(&id)
        .map(|a| a.state.clone())
}

/// Pauses the subscription with a reason (an event, as the system).
async fn pause(s: &Shared, id: Uuid, code: PauzeCode, reden: String) {
    tracing::warn!(abonnement = %id, ?code, %reden, "webhook subscription paused");
    let ctx = WriteContext {
        metadata: Metadata {
            actor: Actor::system("system (webhook-aflevering)"),
            correlation_id: Some(Uuid::now_v7()),
            ..Metadata::default()
        },
        ..WriteContext::default()
    };
    let command = AbonnementCommand::Pauzeer { id, code, reden };
    if let Err(error) = s.state.service.execute(ctx, &command).await {
        tracing::error!(abonnement = %id, ?error, "could not pause the webhook subscription");
    }
}

/// The cursor for the subscription as it is now: a rewind (a higher
/// `herstart`) or a lost cursor starts again at `vanafPositie`; `None` when
/// the store did not answer (PostgreSQL), so nothing starts over.
fn cursor(o: &Opslag, id: Uuid, a: &Abonnement) -> Option<Cursor> {
    let saved = o
        .try_cursor(id)
        .inspect_err(
            |error| tracing::warn!(abonnement = %id, %error, "could not read a webhook cursor"),
        )
        .ok()?;
    Some(match saved {
        Some(c) if c.herstart == a.herstart => c,
        _ => {
            let c = Cursor {
                herstart: a.herstart,
                positie: a.vanaf_positie,
            };
            if let Err(error) = o.set_cursor(id, c) {
                tracing::error!(abonnement = %id, %error, "could not save a webhook cursor");
            }
            c
        }
    })
}

/// Failed attempts at one position, for backoff and the pause rule.
struct Failing {
    /// The first and last position of the request that failed.
    positie: u64,
    tot: u64,
    herstart: u32,
    attempts: u32,
    since: Instant,
}

async fn deliver_all(s: Shared, id: Uuid) {
    let Ok(o) = s.wh.opslag().cloned() else {
        tracing::error!(abonnement = %id, "webhook store unavailable");
        return;
    };
    let mut head = s.state.store.watch_head();
    let mut failing: Option<Failing> = None;
    let source = cloudevent::source(s.wh.instellingen.public_url.as_deref());
    'outer: loop {
        head.borrow_and_update();
        let Some(a) = current(&s, id).filter(active) else {
            return;
        };
        let caller = {
            let m = s.state.projection.read();
            crate::access::caller_of_token(&m, a.token_id, Utc::now())
        };
        let caller = match caller {
            Ok(c) => c,
            Err(why) => {
                let reden = format!(
                    "Het token van dit abonnement is niet meer geldig: {}",
                    why.message()
                );
                return pause(&s, id, PauzeCode::TokenOngeldig, reden).await;
            }
        };
        let mut keys = Vec::new();
        for versie in [
            Some(a.geheim_versie),
            (a.vorig_geheim_geldig(Utc::now())).then(|| a.geheim_versie - 1),
        ]
        .into_iter()
        .flatten()
        {
            let secret = match o.try_secret(id, versie) {
                Ok(secret) => secret,
                Err(error) => {
                    // The store did not answer: no reason to pause, try again.
                    tracing::warn!(abonnement = %id, %error, "could not read a webhook secret");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue 'outer;
                }
            };
            match secret.and_then(|k| signing::key_bytes(&k)) {
                Some(k) => keys.push(k),
                None if versie == a.geheim_versie => {
                    let reden = "De server heeft geen geheim voor dit abonnement (hersteld uit een export of op een andere server?). Vernieuw het geheim (geheimVernieuwen) en hervat het abonnement.".to_owned();
                    return pause(&s, id, PauzeCode::GeheimOntbreekt, reden).await;
                }
                None => {}
            }
        }
        let Some(mut c) = cursor(&o, id, &a) else {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        };
        let batch = match s.tail.after(c.positie, BATCH) {
            Ok(b) => b,
            Err(error) => {
                tracing::error!(abonnement = %id, %error, "webhook delivery could not read the log");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if batch.is_empty() {
            tokio::select! {
                changed = head.changed() => {
                    if changed.is_err() { return }
                    tokio::time::sleep(GATHER).await;
                }
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
            continue;
        }
        let filter = Filter::new(a.filter.agenda, a.filter.stream_type.clone(), None)
            .gemeente(a.filter.gemeente.clone())
            .types(&a.filter.types)
            .with_access(caller, s.state.projection.clone());
        let passes = filter.matches_each(batch.iter().map(|e| e.as_ref()));
        let size = usize::from(a.batch_grootte.max(1));
        // A retry sends what the failed request held, no more: the same
        // `webhook-id` for the same content.
        let retry_until = failing
            .as_ref()
            .filter(|f| f.herstart == c.herstart && f.positie > c.positie)
            .map(|f| f.tot);
        let mut group: Vec<Arc<RecordedEvent>> = Vec::new();
        let mut skipped = None;
        let mut events = batch.into_iter().zip(passes).peekable();
        while let Some((e, pass)) = events.next() {
            if pass {
                group.push(e);
            } else {
                skipped = Some(e.position);
            }
            let full = group.len() >= size
                || group
                    .last()
                    .is_some_and(|l| retry_until.is_some_and(|t| l.position >= t));
            if group.is_empty() || !(full || events.peek().is_none()) {
                continue;
            }
            let (positie, tot) = (group[0].position, group[group.len() - 1].position);
            let attempt = match &failing {
                Some(f) if f.positie == positie && f.herstart == c.herstart => f.attempts + 1,
                _ => 1,
            };
            let sent = std::mem::take(&mut group);
            match send(&s, &o, id, &sent, size > 1, &source, &keys, attempt).await {
                Ok(()) => {
                    failing = None;
                    skipped = skipped.filter(|p| *p > tot);
                    c.positie = tot;
                    if let Err(error) = o.set_cursor(id, c) {
                        tracing::error!(abonnement = %id, %error, "could not save a webhook cursor");
                    }
                }
                Err(Fout::Adres(reden)) => {
                    return pause(&s, id, PauzeCode::AdresGeweigerd, reden).await;
                }
                Err(Fout::Mislukt(fout)) => {
                    let since = failing
                        .as_ref()
                        .filter(|f| f.positie == positie && f.herstart == c.herstart)
                        .map_or_else(Instant::now, |f| f.since);
                    failing = Some(Failing {
                        positie,
                        tot,
                        herstart: c.herstart,
                        attempts: attempt,
                        since,
                    });
                    let i = &s.wh.instellingen;
                    if attempt >= i.pauze_na_pogingen && since.elapsed() >= i.pauze_na {
                        let reden = format!(
                            "{attempt} pogingen om positie {positie} af te leveren mislukten (de eerste {} s geleden); laatste fout: {fout}",
                            since.elapsed().as_secs()
                        );
                        return pause(&s, id, PauzeCode::AfleveringMislukt, reden).await;
                    }
                    wait(&s, &mut head, id, &a, i.backoff.wait_random(attempt)).await;
                    continue 'outer;
                }
            }
            // Paused, rewound or deleted meanwhile: start over from the model.
            match current(&s, id) {
                Some(now) if active(&now) && now.herstart == a.herstart => {}
                _ => continue 'outer,
            }
        }
        if let Some(p) = skipped {
            c.positie = p;
            let _ = o.set_cursor(id, c);
        }
    }
}

/// Sleeps `d`, cut short when the subscription is paused, rewound or deleted.
async fn wait(
    s: &Shared,
    head: &mut tokio::sync::watch::Receiver<u64>,
    id: Uuid,
    a: &Abonnement,
    d: std::time::Duration,
) {
    let until = tokio::time::Instant::now() + d;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(until) => return,
            changed = head.changed() => {
                if changed.is_err() { return }
                match current(s, id) {
                    Some(now) if active(&now) && now.herstart == a.herstart => {}
                    _ => return,
                }
            }
        }
    }
}

enum Fout {
    /// Not a 2xx, or no answer.
    Mislukt(String),
    /// The callback URL points at an address the server may not call.
    Adres(String),
}

/// One attempt: build, sign, POST, record in `afleveringen`. `batch`:
/// CloudEvents batch mode (a JSON array, also of one event).
#[allow(clippy::too_many_arguments)]
async fn send(
    s: &Shared,
    o: &Opslag,
    id: Uuid,
    events: &[Arc<RecordedEvent>],
    batch: bool,
    source: &str,
    keys: &[Vec<u8>],
    poging: u32,
) -> Result<(), Fout> {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Ok(());
    };
    let positie = first.position;
    let msg_id = cloudevent::message_id(events);
    let body = cloudevent::body(events, batch, source);
    let Some(a) = current(s, id) else {
        return Ok(());
    };
    let tijdstip = Utc::now();
    let started = Instant::now();
    let content_type = if batch {
        cloudevent::BATCH_CONTENT_TYPE
    } else {
        cloudevent::CONTENT_TYPE
    };
    let outcome = post(
        s,
        &a.callback_url,
        &msg_id,
        content_type,
        body,
        keys,
        poging,
    )
    .await;
    let duur_ms = started.elapsed().as_millis() as u64;
    let (statuscode, antwoord, fout) = match &outcome {
        Ok((status, excerpt)) if (200..300).contains(status) => {
            (Some(*status), excerpt.clone(), None)
        }
        Ok((status, excerpt)) => (
            Some(*status),
            excerpt.clone(),
            Some(format!("HTTP {status}: geen 2xx")),
        ),
        Err(Fout::Mislukt(f) | Fout::Adres(f)) => (None, None, Some(f.clone())),
    };
    let record = Aflevering {
        positie,
        tot_positie: (last.position != positie).then_some(last.position),
        poging,
        statuscode,
        duur_ms,
        fout: fout.clone(),
        antwoord,
        tijdstip,
    };
    if let Err(error) = o.record(id, &record) {
        tracing::warn!(abonnement = %id, %error, "could not record a delivery");
    }
    match outcome {
        Err(Fout::Adres(f)) => Err(Fout::Adres(f)),
        _ => match fout {
            None => Ok(()),
            Some(f) => Err(Fout::Mislukt(f)),
        },
    }
}

/// The POST itself, under the global cap; the status and a body excerpt.
async fn post(
    s: &Shared,
    url: &str,
    msg_id: &str,
    content_type: &str,
    body: Vec<u8>,
    keys: &[Vec<u8>],
    poging: u32,
) -> Result<(u16, Option<String>), Fout> {
    let t = s.wh.instellingen.toegestaan;
    // An address in the URL itself never reaches the resolver: check it here.
    let parsed = adres::vorm(url, t).map_err(|g| Fout::Adres(g.to_string()))?;
    if let Some(host) = parsed.host() {
        let ip = match host {
            url::Host::Ipv4(ip) => Some(std::net::IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(std::net::IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        if let Some(ip) = ip.filter(|ip| !adres::mag(*ip, t)) {
            return Err(Fout::Adres(format!(
                "De callbackUrl wijst naar {ip}, een intern adres; de server roept het niet aan."
            )));
        }
    }
    let stopping = |_| Fout::Mislukt("server stopt".into());
    let _retry = match poging {
        1 => None,
        _ => Some(s.retry_cap.acquire().await.map_err(stopping)?),
    };
    let _permit = s.cap.acquire().await.map_err(stopping)?;
    let timestamp = Utc::now().timestamp();
    let signature = signing::header(keys, msg_id, timestamp, &body);
    let response = s
        .client
        .post(parsed)
        .header("content-type", content_type)
        .header("webhook-id", msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(classify)?;
    let status = response.status().as_u16();
    let mut response = response;
    let excerpt = match response.chunk().await {
        Ok(Some(bytes)) if !bytes.is_empty() => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(EXCERPT)]).into_owned();
            Some(text.chars().take(EXCERPT).collect())
        }
        _ => None,
    };
    Ok((status, excerpt))
}

/// A refused address (from our resolver) or any other failure, in Dutch.
fn classify(e: reqwest::Error) -> Fout {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(g) = err.downcast_ref::<Geweigerd>() {
            return Fout::Adres(g.to_string());
        }
        source = err.source();
    }
    let kind = if e.is_timeout() {
        "time-out"
    } else if e.is_connect() {
        "verbinding mislukt"
    } else {
        "verzoek mislukt"
    };
    Fout::Mislukt(format!("{kind}: {e}"))
}
