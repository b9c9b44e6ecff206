//! `?page=&pageSize=` on every collection: default 20, max 500, totals in
//! the body and a `Link` header (first, prev, next, last).

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::dto::{Pagina, Paging};
use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 500;

/// One page of `items`.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    paging: &Paging,
    items: Vec<T>,
    position: u64,
) -> Result<HttpResponse, Problem> {
    respond_iter(req, paging, items, position)
}

/// One page of `items`. Only the items on the page are produced: a lazy
/// iterator (e.g. a `map` that renders DTOs) renders just that page.
pub fn respond_iter<T: Serialize, I>(
    req: &HttpRequest,
    paging: &Paging,
    items: I,
    position: u64,
) -> Result<HttpResponse, Problem>
where
    I: IntoIterator<Item = T>,
    I::IntoIter: ExactSizeIterator,
{
    let items = items.into_iter();
    let page = paging.page.unwrap_or(1);
    let size = paging.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    let mut errors = Vec::new();
    if page == 0 {
        errors.push(InvalidParam::new(
            "query.page",
            Foutcode::Minimum,
            "page begint bij 1.",
        ));
    }
    if size == 0 || size > MAX_PAGE_SIZE {
        errors.push(InvalidParam::new(
            "query.pageSize",
            Foutcode::Range,
            format!("pageSize ligt tussen 1 en {MAX_PAGE_SIZE}."),
        ));
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let total = items.len();
    let pages = total.div_ceil(size as usize).max(1);
    let resultaten: Vec<T> = items
        .into_iter()
        // page ≥ 1 and size ≤ 500 were checked; saturate rather than trust it.
        .skip((page.saturating_sub(1) as usize).saturating_mul(size as usize))
        .take(size as usize)
        .collect();
    let link = |p: usize| {
        let mut query: Vec<String> = req
            .query_string()
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("page=") && !kv.starts_with("pageSize="))
            .map(str::to_owned)
            .collect();
        query.push(format!("page={p}"));
        query.push(format!("pageSize={size}"));
        format!("<{}?{}>", req.path(), query.join("&"))
    };
    let mut links = vec![
        format!("{}; rel=\"first\"", link(1)),
        format!("{}; rel=\"last\"", link(pages)),
    ];
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link(page as usize - 1)));
    }
    if (page as usize) < pages {
        // page < pages ≤ usize::MAX, so page + 1 fits.
        links.push(format!("{}; rel=\"next\"", link(page as usize + 1)));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Link", links.join(", ")))
        .insert_header(("X-Total-Count", total.to_string()))
        .insert_header(("ETag", format!("W/\"{position}\"")))
        .json(Pagina {
            resultaten,
            pagina: page,
            pagina_grootte: size,
            totaal: total,
            aantal_paginas: pages,
        }))
}
