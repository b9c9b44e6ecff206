//! What may be asked of a token ([`TokenCommand`]): issue one (with the
//! hash of a secret made outside the domain) and revoke it. Decided against
//! a [`TokenView`]: the organisatie and the agendas exist, plus the rules of
//! [`create`] (role and agendas, expiry after "now", which the command
//! carries).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{create, Rol, Token, TokenAangemaakt};
use crate::domain::events::OrganisatieGeregistreerd;
use crate::domain::organisatie::register;
use crate::domain::Foutcode;
use crate::domain::{Besluit, DomainError, FieldError, StreamBesluit};

#[derive(Debug, Clone, PartialEq)]
pub enum TokenCommand {
    Maak {
        id: Uuid,
        organisatie_id: Uuid,
        rol: Rol,
        omschrijving: String,
        agendas: Vec<Uuid>,
        verloop_tijdstip: Option<DateTime<Utc>>,
        /// `sha256:<64 hex>` of the token; the secret never enters the domain.
        geheim_hash: String,
        /// Scope a programmamanager token to one gemeente of its agendas.
        gemeente: Option<String>,
        /// On a store without any organisatie (the first `token create`):
        /// register the token's organisatie (`organisatie_id`) in the same
        /// decision. Refused once any organisatie exists.
        eerste_organisatie: Option<OrganisatieGeregistreerd>,
        /// The moment of the request: the expiry must lie after it.
        nu: DateTime<Utc>,
    },
    /// Revoke: from now on refused. Revoking twice changes nothing.
    TrekIn { id: Uuid, reden: Option<String> },
}

/// What the token rules need to know beyond the token itself.
pub trait TokenView {
    /// The token and its stream version.
    fn token(&self, id: Uuid) -> Option<(&Token, u64)>;
    fn organisatie_geregistreerd(&self, id: Uuid) -> bool;
    fn agenda_bestaat(&self, id: Uuid) -> bool;
    /// The gemeenten of an agenda (`None`: no such agenda).
    fn agenda_gemeenten(&self, id: Uuid) -> Option<&[String]>;
    /// Whether any organisatie is registered.
    fn heeft_organisaties(&self) -> bool;
}

fn field(field: impl Into<String>, code: Foutcode, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }
}

/// The gemeente a token is scoped to, in the spelling of its (first)
/// agenda: it must be a gemeente of every agenda the token names.
fn scope(
    view: &impl TokenView,
    agendas: &[Uuid],
    gemeente: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let mut found: Option<String> = None;
    for a in agendas {
        let Some(gemeenten) = view.agenda_gemeenten(*a) else {
            continue;
        };
        match crate::domain::gemeente::vind(gemeenten, gemeente) {
            Some(g) => {
                found.get_or_insert_with(|| g.to_owned());
            }
            None => {
                errors.push(field(
                    "gemeente",
                    Foutcode::UnknownGemeente,
                    format!(
                        "'{gemeente}' is geen gemeente van agenda {a}; kies uit {}.",
                        gemeenten.join(", ")
                    ),
                ));
                return None;
            }
        }
    }
    found.or_else(|| {
        let m = crate::domain::naam::normalise(gemeente);
        (!m.is_empty()).then_some(m)
    })
}

impl TokenCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl TokenView) -> Besluit {
        match self {
            Self::Maak {
                id,
                organisatie_id,
                rol,
                omschrijving,
                agendas,
                verloop_tijdstip,
                geheim_hash,
                gemeente,
                eerste_organisatie,
                nu,
            } => {
                let mut streams = Vec::new();
                let mut errors = Vec::new();
                match eerste_organisatie {
                    Some(_) if view.heeft_organisaties() => {
                        return Err(DomainError::invalid(
                            "organisatie",
                            Foutcode::NotFirstOrganisatie,
                            "Er zijn al organisaties; registreer nieuwe via de API.",
                        ))
                    }
                    Some(first) => {
                        streams.push(StreamBesluit::nieuw(organisatie_id, register(first)?));
                    }
                    None if !view.organisatie_geregistreerd(organisatie_id) => {
                        errors.push(field(
                            "organisatieId",
                            Foutcode::UnknownOrganisatie,
                            crate::domain::niet_gevonden("organisatie", organisatie_id),
                        ));
                    }
                    None => {}
                }
                for (i, a) in agendas.iter().enumerate() {
                    if !view.agenda_bestaat(*a) {
                        errors.push(field(
                            format!("agendas[{i}]"),
                            Foutcode::UnknownAgenda,
                            crate::domain::niet_gevonden("agenda", a),
                        ));
                    }
                }
                let gemeente = gemeente.and_then(|g| scope(view, &agendas, &g, &mut errors));
                let created = create(
                    TokenAangemaakt {
                        organisatie_id,
                        rol,
                        omschrijving,
                        agendas,
                        verloop_tijdstip,
                        geheim_hash,
                        gemeente,
                    },
                    nu,
                );
                if let Err(DomainError::Invalid(more)) = &created {
                    errors.extend(more.iter().cloned());
                }
                if !errors.is_empty() {
                    return Err(DomainError::Invalid(errors));
                }
                streams.push(StreamBesluit::nieuw(id, created?));
                Ok(streams)
            }
            Self::TrekIn { id, reden } => {
                let (current, version) =
                    view.token(id).ok_or(DomainError::not_found("token", id))?;
                Ok(vec![StreamBesluit::bij(
                    id,
                    version,
                    current.revoke(reden)?,
                )])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::Event;
    use crate::domain::organisatie::OrganisatieSoort;
    use crate::domain::testing::given;
    use chrono::TimeZone;

    const ORG: Uuid = Uuid::from_u128(1);
    const AGENDA: Uuid = Uuid::from_u128(2);
    const TOKEN: Uuid = Uuid::from_u128(3);

    /// A fake view: one organisatie and one agenda (or none at all), and the
    /// tokens by id.
    struct Fake {
        leeg: bool,
        tokens: Vec<(Uuid, Token, u64)>,
        gemeenten: Vec<String>,
    }

    fn store() -> Fake {
        Fake {
            leeg: false,
            tokens: vec![],
            gemeenten: vec!["Almelo".into(), "Borne".into(), "Hengelo".into()],
        }
    }

    impl TokenView for Fake {
        fn token(&self, id: Uuid) -> Option<(&Token, u64)> {
            self.tokens.iter().find(|t| t.0 == id).map(|t| (&t.1, t.2))
        }
        fn organisatie_geregistreerd(&self, id: Uuid) -> bool {
            !self.leeg && id == ORG
        }
        fn agenda_bestaat(&self, id: Uuid) -> bool {
            id == AGENDA
        }
        fn agenda_gemeenten(&self, id: Uuid) -> Option<&[String]> {
            (id == AGENDA).then_some(&self.gemeenten[..])
        }
        fn heeft_organisaties(&self) -> bool {
            !self.leeg
        }
    }

    fn nu() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 9, 0, 0).unwrap()
    }

    fn hash() -> String {
        format!("sha256:{}", "ab".repeat(32))
    }

    fn maak(rol: Rol, agendas: Vec<Uuid>) -> TokenCommand {
        TokenCommand::Maak {
            id: TOKEN,
            organisatie_id: ORG,
            rol,
            omschrijving: " script voortgang ".into(),
            agendas,
            verloop_tijdstip: None,
            geheim_hash: hash(),
            gemeente: None,
            eerste_organisatie: None,
            nu: nu(),
        }
    }

    fn maak_voor(rol: Rol, gemeente: &str) -> TokenCommand {
        let mut c = maak(
            rol,
            if rol == Rol::Programmamanager {
                vec![AGENDA]
            } else {
                vec![]
            },
        );
        if let TokenCommand::Maak { gemeente: g, .. } = &mut c {
            *g = Some(gemeente.into());
        }
        c
    }

    #[test]
    fn a_programmamanager_token_is_scoped_to_a_gemeente_of_its_agenda() {
        given(store())
            .when(|v| maak_voor(Rol::Programmamanager, " borne").decide(v))
            .then(vec![Event::TokenAangemaakt(TokenAangemaakt {
                organisatie_id: ORG,
                rol: Rol::Programmamanager,
                omschrijving: "script voortgang".into(),
                agendas: vec![AGENDA],
                verloop_tijdstip: None,
                geheim_hash: hash(),
                gemeente: Some("Borne".into()),
            })]);
        let e = given(store())
            .when(|v| maak_voor(Rol::Programmamanager, "Enschede").decide(v))
            .then_refused(Foutcode::UnknownGemeente);
        assert!(e.to_string().contains("ongeldige velden"));
        assert!(
            matches!(&e, DomainError::Invalid(f) if f[0].field == "gemeente" && f[0].message.contains("kies uit Almelo, Borne, Hengelo"))
        );
        given(store())
            .when(|v| maak_voor(Rol::Partner, "Borne").decide(v))
            .then_refused(Foutcode::NotAllowed);
    }

    #[test]
    fn a_programmamanager_token_names_existing_agendas() {
        given(store())
            .when(|v| maak(Rol::Programmamanager, vec![AGENDA]).decide(v))
            .then(vec![Event::TokenAangemaakt(TokenAangemaakt {
                organisatie_id: ORG,
                rol: Rol::Programmamanager,
                omschrijving: "script voortgang".into(),
                agendas: vec![AGENDA],
                verloop_tijdstip: None,
                geheim_hash: hash(),
                gemeente: None,
            })]);
        given(store())
            .when(|v| maak(Rol::Programmamanager, vec![]).decide(v))
            .then_refused(Foutcode::Required);
        let e = given(store())
            .when(|v| maak(Rol::Partner, vec![Uuid::from_u128(9)]).decide(v))
            .then_refused(Foutcode::UnknownAgenda);
        // both problems of the list at once
        assert!(
            matches!(&e, DomainError::Invalid(f) if f.len() == 2 && f[1].code == "not-allowed")
        );
    }

    #[test]
    fn the_expiry_lies_after_now_and_the_organisatie_exists() {
        let mut c = maak(Rol::Lezer, vec![]);
        if let TokenCommand::Maak {
            verloop_tijdstip,
            organisatie_id,
            ..
        } = &mut c
        {
            *verloop_tijdstip = Some(nu());
            *organisatie_id = Uuid::from_u128(8);
        }
        let e = given(store())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::InThePast);
        assert!(matches!(&e, DomainError::Invalid(f) if f[0].code == "unknown-organisatie"));
    }

    #[test]
    fn the_first_token_registers_its_organisatie_only_on_an_empty_store() {
        let mut c = maak(Rol::Beheerder, vec![]);
        if let TokenCommand::Maak {
            eerste_organisatie, ..
        } = &mut c
        {
            *eerste_organisatie = Some(OrganisatieGeregistreerd {
                naam: "Gemeente Twenterand".into(),
                soort: OrganisatieSoort::Gemeente,
                contactadres: None,
            });
        }
        let streams = given(Fake {
            leeg: true,
            ..store()
        })
        .when(|v| c.clone().decide(v))
        .then(vec![
            Event::OrganisatieGeregistreerd(OrganisatieGeregistreerd {
                naam: "Gemeente Twenterand".into(),
                soort: OrganisatieSoort::Gemeente,
                contactadres: None,
            }),
            Event::TokenAangemaakt(TokenAangemaakt {
                organisatie_id: ORG,
                rol: Rol::Beheerder,
                omschrijving: "script voortgang".into(),
                agendas: vec![],
                verloop_tijdstip: None,
                geheim_hash: hash(),
                gemeente: None,
            }),
        ]);
        assert_eq!(
            streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
            [ORG, TOKEN]
        );
        given(store())
            .when(|v| c.decide(v))
            .then_refused(Foutcode::NotFirstOrganisatie);
    }

    #[test]
    fn revoking_twice_changes_nothing_and_an_unknown_token_is_not_found() {
        let e = TokenAangemaakt {
            organisatie_id: ORG,
            rol: Rol::Lezer,
            omschrijving: "x".into(),
            agendas: vec![],
            verloop_tijdstip: None,
            geheim_hash: hash(),
            gemeente: None,
        };
        let mut t = Token::created(&e);
        let fake = |t: &Token| Fake {
            tokens: vec![(TOKEN, t.clone(), 1)],
            ..store()
        };
        let trek_in = || TokenCommand::TrekIn {
            id: TOKEN,
            reden: Some("kwijt".into()),
        };
        let streams =
            given(fake(&t))
                .when(|v| trek_in().decide(v))
                .then(vec![Event::TokenIngetrokken(
                    super::super::TokenIngetrokken {
                        reden: Some("kwijt".into()),
                    },
                )]);
        t.apply(&streams[0].events[0], nu());
        given(fake(&t)).when(|v| trek_in().decide(v)).then(vec![]);
        given(store())
            .when(|v| trek_in().decide(v))
            .then_refused(Foutcode::NotFound);
    }
}
