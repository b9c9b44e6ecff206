//! The frame of every page (ISSUE19 markup contract): skip link, header with
//! breadcrumbs, the "zoals op" form and banner, the gemeente filter of a
//! shared nota, one `<h1>`, `<main id="inhoud">`, footer. No scripts.

use actix_web::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use super::ctx::Ctx;
use super::{fmt, Page};
use crate::http::problem::Problem;

const MERK: &str = "Maatschappelijke Agenda";

fn frame(
    ctx: &Ctx,
    path: &str,
    kind: &str,
    title: &str,
    crumbs: &[(String, String)],
    tools: Markup,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (MERK) }
                link rel="stylesheet" href="/static/site.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            }
            body data-pagina=(kind) {
                a.skiplink href="#inhoud" { "Naar de inhoud" }
                header.kop {
                    div.wrap {
                        a.merk href=(ctx.link_peil("/")) { (MERK) }
                        nav.kruimelpad aria-label="Kruimelpad" {
                            ol {
                                li { a href=(ctx.link_peil("/")) { "Alle agenda's" } }
                                @for (text, href) in crumbs {
                                    li { a href=(href) { (text) } }
                                }
                            }
                        }
                    }
                }
                main id="inhoud" {
                    div.wrap {
                        @if let Some(d) = ctx.datum() {
                            div id="zoals-op-banner" role="status" {
                                "U bekijkt de agenda zoals die op " strong { (fmt::datum(d)) } " was vastgelegd. "
                                a href=(ctx.today(path)) { "Bekijk de stand van vandaag" }
                            }
                        }
                        div.hulpmiddelen {
                            (zoals_op(ctx))
                            (tools)
                        }
                        h1 { (title) }
                        (body)
                    }
                }
                footer {
                    div.wrap {
                        ul {
                            li { a href=(ctx.link_peil("/")) { "Alle agenda's" } }
                            li { a href="/v1/docs/" { "API-documentatie (open data)" } }
                        }
                        p.zacht { "Deze pagina's tonen alleen gepubliceerde agenda's. Ze werken zonder JavaScript en zijn geschikt om af te drukken." }
                    }
                }
            }
        }
    }
}

/// The time-travel form: keeps the gemeente and the search words.
fn zoals_op(ctx: &Ctx) -> Markup {
    html! {
        form.zoals-op method="get" {
            @if let Some(g) = &ctx.gemeente { input type="hidden" name="gemeente" value=(g); }
            @if let Some(z) = &ctx.zoek { input type="hidden" name="zoek" value=(z); }
            div {
                label for="peildatum" { "Zoals op" }
                input type="date" id="peildatum" name="peildatum" value=[ctx.datum().map(|d| d.to_string())];
            }
            button type="submit" { "Toon" }
        }
    }
}

/// The gemeente filter of a shared nota (keeps the peildatum and search).
fn gemeente_filter(ctx: &Ctx, gemeenten: &[String]) -> Markup {
    html! {
        @if gemeenten.len() > 1 {
            form.gemeente-filter method="get" {
                @if let Some(p) = &ctx.peildatum { input type="hidden" name="peildatum" value=(p); }
                @if let Some(z) = &ctx.zoek { input type="hidden" name="zoek" value=(z); }
                div {
                    label for="gemeente" { "Gemeente" }
                    select id="gemeente" name="gemeente" {
                        option value="" selected[ctx.gemeente.is_none()] { "Alle gemeenten" }
                        @for g in gemeenten {
                            option value=(g) selected[ctx.gemeente.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(g))] { (g) }
                        }
                    }
                }
                button type="submit" { "Filter" }
            }
        }
    }
}

pub fn page(ctx: &Ctx, path: &str, p: Page) -> Markup {
    let tools = gemeente_filter(ctx, &p.gemeenten);
    frame(ctx, path, p.kind, &p.title, &p.crumbs, tools, p.body)
}

/// The page for a problem: what is wrong, in Dutch, and what to do.
pub fn error(ctx: &Ctx, status: StatusCode, problem: &Problem) -> Markup {
    let (title, advice) = match status.as_u16() {
        404 => (
            "Pagina niet gevonden",
            "Controleer het adres, of begin bij het overzicht van alle agenda's.",
        ),
        400 => (
            "Deze vraag klopt niet",
            "Pas het adres of het formulier aan en probeer het opnieuw. Een peildatum schrijft u als JJJJ-MM-DD, bijvoorbeeld 2024-12-04.",
        ),
        _ => (
            "Er ging iets mis",
            "Probeer het later opnieuw; blijft het misgaan, meld dan het tijdstip.",
        ),
    };
    let body = html! {
        div.fout-uitleg {
            // A missing page reads the same whether it never existed, did
            // not exist yet on the peildatum or belongs to an agenda that is
            // not published (the API's detail would name ids and positions).
            @match (status.as_u16(), ctx.datum()) {
                (404, Some(d)) => p { "Op " (fmt::datum(d)) " was hier nog niets vastgelegd, of deze pagina is niet openbaar." },
                (404, None) => p { "Er is geen openbare pagina op dit adres." },
                _ => p { (problem.detail) },
            }
            @if !problem.invalid_params.is_empty() {
                ul {
                    @for p in &problem.invalid_params { li { (p.reason) } }
                }
            }
        }
        p { (advice) }
        p { a href="/" { "Naar alle agenda's" } }
    };
    // Without a usable peildatum the form starts empty.
    let clean = Ctx {
        peildatum: ctx
            .datum()
            .filter(|_| status != StatusCode::BAD_REQUEST)
            .map(|d| d.to_string()),
        ..ctx.clone()
    };
    frame(&clean, "/", "fout", title, &[], html! {}, body)
}
