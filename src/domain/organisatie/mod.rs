//! Organisatie: a partner organisation, the gemeente itself, or a network.

use serde::{Deserialize, Serialize};

use super::events::{Event, OrganisatieGeregistreerd, OrganisatieGewijzigd};
use super::naam::normalise;
use uuid::Uuid;

use super::{Besluit, Decision, DomainError, StreamBesluit};
use crate::domain::Foutcode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrganisatieSoort {
    Gemeente,
    Overheid,
    Welzijn,
    Zorg,
    Jeugdbescherming,
    Onderwijs,
    Kinderopvang,
    Sport,
    Cultuur,
    Bibliotheek,
    Woningcorporatie,
    Inwonersgroep,
    Samenwerkingsverband,
    Bedrijf,
    Overig,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Organisatie {
    pub naam: String,
    pub soort: OrganisatieSoort,
    pub contactadres: Option<String>,
}

impl Organisatie {
    pub fn created(e: &OrganisatieGeregistreerd) -> Self {
        Self {
            naam: e.naam.clone(),
            soort: e.soort,
            contactadres: e.contactadres.clone(),
        }
    }

    pub fn apply(&mut self, event: &Event) {
        if let Event::OrganisatieGewijzigd(e) = event {
            if let Some(v) = &e.naam {
                self.naam = v.clone();
            }
            if let Some(v) = e.soort {
                self.soort = v;
            }
            if let Some(v) = &e.contactadres {
                self.contactadres = v.clone();
            }
        }
    }

    /// Keeps only real changes; no change means no event.
    pub fn update(&self, mut e: OrganisatieGewijzigd) -> Decision {
        e.naam = e.naam.as_deref().map(normalise);
        if e.naam.as_ref().is_some_and(|n| n.is_empty()) {
            return Err(DomainError::invalid(
                "naam",
                Foutcode::Required,
                "Naam mag niet leeg zijn.",
            ));
        }
        e.naam = e.naam.filter(|n| *n != self.naam);
        e.soort = e.soort.filter(|v| *v != self.soort);
        e.contactadres = e.contactadres.filter(|v| *v != self.contactadres);
        Ok(if e == OrganisatieGewijzigd::default() {
            vec![]
        } else {
            vec![Event::OrganisatieGewijzigd(e)]
        })
    }
}

/// What may be asked of an organisatie.
#[derive(Debug, Clone, PartialEq)]
pub enum OrganisatieCommand {
    Registreer {
        id: Uuid,
        naam: String,
        soort: OrganisatieSoort,
        contactadres: Option<String>,
    },
    /// Only the fields given change; `contactadres: Some(None)` clears it.
    Wijzig {
        id: Uuid,
        naam: Option<String>,
        soort: Option<OrganisatieSoort>,
        contactadres: Option<Option<String>>,
    },
}

/// What the organisatie rules need to know beyond the organisatie itself.
pub trait OrganisatieView {
    /// The organisatie and its stream version.
    fn organisatie(&self, id: Uuid) -> Option<(&Organisatie, u64)>;
    /// Whether another organisatie than `behalve` has this naam, compared
    /// as [`super::naam::same`] does.
    fn organisatienaam_bezet(&self, naam: &str, behalve: Option<Uuid>) -> bool;
}

impl OrganisatieCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl OrganisatieView) -> Besluit {
        match self {
            Self::Registreer {
                id,
                naam,
                soort,
                contactadres,
            } => {
                check_contactadres(contactadres.as_deref())?;
                let e = OrganisatieGeregistreerd {
                    naam: normalise(&naam),
                    soort,
                    contactadres,
                };
                naam_vrij(view, &e.naam, None)?;
                Ok(vec![StreamBesluit::nieuw(id, register(e)?)])
            }
            Self::Wijzig {
                id,
                naam,
                soort,
                contactadres,
            } => {
                let (current, version) = view
                    .organisatie(id)
                    .ok_or(DomainError::not_found("organisatie", id))?;
                if let Some(Some(adres)) = &contactadres {
                    check_contactadres(Some(adres))?;
                }
                if let Some(n) = &naam {
                    naam_vrij(view, &normalise(n), Some(id))?;
                }
                let events = current.update(OrganisatieGewijzigd {
                    naam,
                    soort,
                    contactadres,
                })?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
            }
        }
    }
}

/// Names are unique: the same after [`normalise`] (invisible characters,
/// spaces, Unicode composition), ignoring case.
fn naam_vrij(
    view: &impl OrganisatieView,
    naam: &str,
    own: Option<Uuid>,
) -> Result<(), DomainError> {
    if view.organisatienaam_bezet(naam, own) {
        return Err(DomainError::conflict(
            Foutcode::DuplicateNaam,
            format!("Er is al een organisatie met de naam {naam:?}. Kies een andere naam, of gebruik de bestaande organisatie."),
        ));
    }
    Ok(())
}

/// A functional address (info@, mag@): something on both sides of an `@`.
fn check_contactadres(adres: Option<&str>) -> Result<(), DomainError> {
    match adres {
        Some(a) if !a.trim().contains('@') => Err(DomainError::invalid(
            "contactadres",
            Foutcode::InvalidEmail,
            "Geef een e-mailadres, bijv. info@organisatie.nl.",
        )),
        _ => Ok(()),
    }
}

/// Registers an organisatie under the [`normalise`]d form of its naam
/// (whether that name is taken is for the caller to check, with
/// [`super::naam::same`]).
pub fn register(mut e: OrganisatieGeregistreerd) -> Decision {
    e.naam = normalise(&e.naam);
    if e.naam.is_empty() {
        return Err(DomainError::invalid(
            "naam",
            Foutcode::Required,
            "Naam is verplicht.",
        ));
    }
    Ok(vec![Event::OrganisatieGeregistreerd(e)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::given;

    /// A fake view: the organisaties by id.
    #[derive(Default)]
    struct Org(Vec<(Uuid, Organisatie, u64)>);

    impl OrganisatieView for Org {
        fn organisatie(&self, id: Uuid) -> Option<(&Organisatie, u64)> {
            self.0.iter().find(|o| o.0 == id).map(|o| (&o.1, o.2))
        }
        fn organisatienaam_bezet(&self, naam: &str, behalve: Option<Uuid>) -> bool {
            self.0
                .iter()
                .any(|o| Some(o.0) != behalve && crate::domain::naam::same(&o.1.naam, naam))
        }
    }

    fn bibliotheek() -> Organisatie {
        Organisatie {
            naam: "Bibliotheek Twenterand".into(),
            soort: OrganisatieSoort::Bibliotheek,
            contactadres: None,
        }
    }

    fn registreer(naam: &str) -> OrganisatieCommand {
        OrganisatieCommand::Registreer {
            id: Uuid::from_u128(2),
            naam: naam.into(),
            soort: OrganisatieSoort::Welzijn,
            contactadres: Some("info@welzijn.nl".into()),
        }
    }

    #[test]
    fn registering_normalises_the_name() {
        given(Org::default())
            .when(|v| registreer("  Stichting   Welzijn ").decide(v))
            .then(vec![Event::OrganisatieGeregistreerd(
                OrganisatieGeregistreerd {
                    naam: "Stichting Welzijn".into(),
                    soort: OrganisatieSoort::Welzijn,
                    contactadres: Some("info@welzijn.nl".into()),
                },
            )]);
    }

    #[test]
    fn a_name_in_use_under_another_spelling_is_refused() {
        let id = Uuid::from_u128(1);
        given(Org(vec![(id, bibliotheek(), 1)]))
            .when(|v| registreer("bibliotheek\u{200b} twenterand").decide(v))
            .then_refused(Foutcode::DuplicateNaam);
    }

    #[test]
    fn renaming_to_its_own_name_changes_nothing_and_clearing_the_address_is_a_change() {
        let id = Uuid::from_u128(1);
        let mut met_adres = bibliotheek();
        met_adres.contactadres = Some("info@bieb.nl".into());
        let streams = given(Org(vec![(id, met_adres, 4)]))
            .when(|v| {
                OrganisatieCommand::Wijzig {
                    id,
                    naam: Some("Bibliotheek Twenterand".into()),
                    soort: None,
                    contactadres: Some(None),
                }
                .decide(v)
            })
            .then(vec![Event::OrganisatieGewijzigd(OrganisatieGewijzigd {
                naam: None,
                soort: None,
                contactadres: Some(None),
            })]);
        assert_eq!(streams[0].versie, crate::domain::Versie::Exact(4));
    }

    #[test]
    fn changing_an_unknown_organisatie_is_not_found() {
        given(Org::default())
            .when(|v| {
                OrganisatieCommand::Wijzig {
                    id: Uuid::from_u128(9),
                    naam: None,
                    soort: Some(OrganisatieSoort::Zorg),
                    contactadres: None,
                }
                .decide(v)
            })
            .then_refused(Foutcode::NotFound);
    }

    #[test]
    fn an_address_without_at_sign_is_refused() {
        let mut c = registreer("Nieuw");
        if let OrganisatieCommand::Registreer { contactadres, .. } = &mut c {
            *contactadres = Some("geen adres".into());
        }
        given(Org::default())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::InvalidEmail);
    }
}
