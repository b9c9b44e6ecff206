//! The read model as the domain's read-only views: one file per aggregate's
//! view trait (`crate::domain::<aggregate>::<Aggregate>View`). Commands are
//! decided against these, so a rule and the state it reads are one snapshot.

mod abonnement;
mod actie;
mod checkmoment;
mod indicator;
mod organisatie;
mod reflectie;
mod structuur;
mod token;
