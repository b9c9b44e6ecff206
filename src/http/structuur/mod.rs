//! Building and restructuring the agenda: create/patch agendas,
//! groeperingen (themalijnen, effecten, ...), opgaven and doelen. Codes are
//! optional and, where given, unique among the siblings of the same kind
//! (409 otherwise; `docs/model-flexibility.md`); renumbering (also to no
//! code), moving and dropping
//! (vervallen) are events, so history keeps every earlier shape. Each
//! handler extracts its typed body, checks the caller's rights, and runs a
//! domain command (`crate::domain::{agenda, opgave, doel}`); every rule is
//! decided there, against `crate::domain::structuur::StructuurView`.

mod agenda;
pub mod bijdrage;
mod doel;
mod groepering;
mod opgave;

use actix_web::web;
use utoipa::OpenApi;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/agendas", web::post().to(agenda::post_agenda))
        .route("/agendas/{id}", web::patch().to(agenda::patch_agenda))
        .route(
            "/agendas/{id}/groeperingen",
            web::get().to(groepering::list_groeperingen),
        )
        .route(
            "/agendas/{id}/groeperingen",
            web::post().to(groepering::post_groepering),
        )
        .route(
            "/groeperingen/{id}",
            web::get().to(groepering::get_groepering),
        )
        .route(
            "/groeperingen/{id}",
            web::patch().to(groepering::patch_groepering),
        )
        .route("/agendas/{id}/opgaven", web::post().to(opgave::post_opgave))
        .route("/opgaven/{id}", web::patch().to(opgave::patch_opgave))
        .route("/opgaven/{id}/doelen", web::get().to(doel::list_doelen))
        .route("/opgaven/{id}/doelen", web::post().to(doel::post_doel))
        .route("/doelen/{id}", web::get().to(doel::get_doel))
        .route("/doelen/{id}", web::patch().to(doel::patch_doel))
        .route(
            "/groeperingen/{id}/opgaven",
            web::get().to(bijdrage::list_groepering_opgaven),
        )
        .route(
            "/opgaven/{id}/bijdragen",
            web::post().to(bijdrage::post_opgave_bijdrage),
        )
        .route(
            "/opgaven/{id}/bijdragen/{groepering_id}",
            web::delete().to(bijdrage::delete_opgave_bijdrage),
        )
        .route(
            "/doelen/{id}/bijdragen",
            web::post().to(bijdrage::post_doel_bijdrage),
        )
        .route(
            "/doelen/{id}/bijdragen/{groepering_id}",
            web::delete().to(bijdrage::delete_doel_bijdrage),
        );
}

#[derive(OpenApi)]
#[openapi(paths(
    agenda::post_agenda,
    agenda::patch_agenda,
    groepering::list_groeperingen,
    groepering::post_groepering,
    groepering::get_groepering,
    groepering::patch_groepering,
    opgave::post_opgave,
    opgave::patch_opgave,
    doel::list_doelen,
    doel::post_doel,
    doel::get_doel,
    doel::patch_doel,
    bijdrage::list_groepering_opgaven,
    bijdrage::post_opgave_bijdrage,
    bijdrage::post_doel_bijdrage,
    bijdrage::delete_opgave_bijdrage,
    bijdrage::delete_doel_bijdrage
))]
pub struct Api;
