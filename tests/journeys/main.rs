//! User journeys, driven the way their users walk them: the real `mag-tracker`
//! binary started on a temporary data directory, called over HTTP and through
//! its command line, and what a person would read checked for content.
//!
//! One module per journey area; the harness is in `support.rs`.

mod acties;
mod acties_invoer;
mod backup;
mod bijdragen;
mod codes;
mod first_run;
mod fsync_trace;
mod gemeente;
mod indicatoren;
mod indicatoren_gemeenten;
mod invoer;
mod kalender;
mod logs;
mod postgres;
mod site;
mod structuur;
mod support;
#[path = "../support_pg/mod.rs"]
mod support_pg;
mod voortgangsberichten;
mod webhook_trace;
mod webhooks_pg;
mod webhooks_pg_opslag;
mod who_and_when;
mod zichtbaarheid;

/// The harness itself: the README's first command on an empty directory
/// serves the Twenterand demo agenda.
#[test]
fn serve_on_an_empty_directory_shows_the_demo_agenda() {
    let tmp = tempfile::tempdir().unwrap();
    let server = support::Server::start(&tmp.path().join("data"), &[]);
    let agendas = server.get("/agendas", None);
    assert_eq!(agendas.status, 200);
    assert!(agendas.text.contains("Twenterand"), "{}", agendas.text);
    server.stop();
}
