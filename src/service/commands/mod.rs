//! Each domain command as the service runs it ([`super::Command`]): whether
//! it takes the structure lock, and its decision against the read model
//! (which implements the aggregate's view trait). One file per aggregate.

mod abonnement;
mod actie;
mod bijdrage;
mod checkmoment;
mod indicator;
mod organisatie;
mod reflectie;
mod structuur;
mod token;
