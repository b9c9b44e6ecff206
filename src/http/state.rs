//! What every handler may use: the store, the read model, the service, the
//! caches and the token state. Built by the wiring (`src/app.rs`) at startup.

use std::sync::Arc;

use crate::event_store::EventStore;
use crate::projections::snapshot::Snapshotter;
use crate::projections::Projection;
use crate::service::Service;

/// Everything a request handler may use.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn EventStore>,
    pub projection: Arc<Projection>,
    pub service: Arc<Service>,
    /// `--public-url`: base of absolute links (Atom feeds); `None` derives it from the request.
    pub public_url: Option<String>,
    /// Past states of the read model (time travel).
    pub history: Arc<crate::history::AsOf>,
    /// Token usage and rate limits (see `src/access/`).
    pub access: Arc<crate::access::AccessState>,
    /// Rendered PDCA states of the live model (see [`crate::http::PdcaCache`]).
    pub pdca_cache: Arc<crate::http::PdcaCache>,
    /// Keeps the read-model snapshot fresh (`serve` with snapshots on).
    pub snapshotter: Option<Arc<Snapshotter>>,
    /// Rendered acties of the live model (see [`crate::http::ActieCache`]).
    pub actie_cache: Arc<crate::http::ActieCache>,
    /// Webhook subscriptions: secrets, cursors, deliveries (`src/webhooks/`).
    pub webhooks: Arc<crate::webhooks::Webhooks>,
    /// Rendered pages of the public site (see [`crate::http::site::SiteCache`]).
    pub site_cache: Arc<crate::http::site::SiteCache>,
}
