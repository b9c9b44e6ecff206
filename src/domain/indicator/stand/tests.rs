//! Given an indicator's events, where it stands: per gemeente, against the
//! streefwaarde of the year or of the whole period.

use chrono::Utc;
use uuid::Uuid;

use super::super::*;
use crate::domain::events::{Event, IndicatorAangemaakt, MetingVastgelegd};

fn w(jaar: Option<i32>, waarde: f64) -> Waarde {
    Waarde {
        jaar,
        waarde,
        ondergrens: None,
        bovengrens: None,
    }
}

/// Higher is better, with the given streefwaarden.
fn given(streefwaarden: Vec<Waarde>) -> Indicator {
    Indicator::created(&IndicatorAangemaakt {
        agenda_id: Uuid::nil(),
        doel_id: Uuid::nil(),
        naam: "Bereik".into(),
        eenheid: "%".into(),
        richting: Richting::HogerIsBeter,
        bron: None,
        eigenaar_organisatie_id: None,
        nulmeting: None,
        streefwaarden,
    })
}

fn meting(i: &mut Indicator, periode: &str, gemeente: Option<&str>, waarde: f64) {
    let e = Event::MetingVastgelegd(MetingVastgelegd {
        meting_id: Uuid::now_v7(),
        periode: periode.into(),
        meet_datum: None,
        waarde,
        status: MetingStatus::Definitief,
        bron: None,
        toelichting: None,
        door_organisatie_id: None,
        gemeente: gemeente.map(str::to_owned),
    });
    i.apply(&e, Utc::now());
}

#[test]
fn a_later_meting_supersedes_only_the_one_for_the_same_periode_and_gemeente() {
    let mut i = given(vec![w(Some(2025), 50.0)]);
    meting(&mut i, "2025", Some("Noord"), 40.0);
    meting(&mut i, "2025", Some("Zuid"), 60.0);
    meting(&mut i, "2025", None, 55.0);
    meting(&mut i, "2025", Some("Noord"), 52.0);
    let vervangen: Vec<(Option<&str>, f64, bool)> = i
        .metingen
        .iter()
        .map(|m| (m.gemeente.as_deref(), m.waarde, m.vervangen))
        .collect();
    assert_eq!(
        vervangen,
        [
            (Some("Noord"), 40.0, true),
            (Some("Zuid"), 60.0, false),
            (None, 55.0, false),
            (Some("Noord"), 52.0, false),
        ]
    );
    assert_eq!(i.stand(2025, Some("Noord")).waarde, Some(52.0));
    assert_eq!(i.stand(2025, Some("Zuid")).waarde, Some(60.0));
    assert_eq!(i.stand(2025, None).waarde, Some(55.0));
}

#[test]
fn a_streefwaarde_for_the_whole_period_holds_in_every_year_without_its_own() {
    let mut i = given(vec![w(None, 50.0), w(Some(2026), 70.0)]);
    meting(&mut i, "2024", None, 45.0);
    meting(&mut i, "2025", None, 55.0);
    meting(&mut i, "2026", None, 60.0);
    let judged: Vec<(Option<f64>, Option<Koers>)> = [2024, 2025, 2026]
        .map(|y| {
            let s = i.stand(y, None);
            (s.streefwaarde.map(|s| s.waarde), s.koers)
        })
        .into();
    assert_eq!(
        judged,
        [
            (Some(50.0), Some(Koers::NietOpKoers)),
            (Some(50.0), Some(Koers::OpKoers)),
            (Some(70.0), Some(Koers::NietOpKoers)),
        ]
    );
    assert!(!i.nog_te_vullen());
}

#[test]
fn without_any_streefwaarde_an_indicator_is_nog_te_vullen_and_never_off_track() {
    let mut i = given(vec![]);
    meting(&mut i, "2025", None, 1.0);
    assert!(i.nog_te_vullen());
    let s = i.stand(2025, None);
    assert_eq!((s.waarde, s.streefwaarde, s.koers), (Some(1.0), None, None));
    assert!(i.vorig_jaar(2026, None).is_none());
}

#[test]
fn the_areas_are_the_whole_area_and_each_gemeente_and_one_gemeente_sees_its_own() {
    let mut i = given(vec![w(None, 50.0)]);
    assert_eq!(i.gebieden(), vec![None], "no meting yet: the whole area");
    meting(&mut i, "2025", None, 45.0);
    assert_eq!(
        i.gebieden_voor(Some("Zuid")),
        vec![None],
        "measured for the whole area only"
    );
    meting(&mut i, "2025", Some("Zuid"), 60.0);
    meting(&mut i, "2025", Some("Noord"), 40.0);
    assert_eq!(
        i.gebieden(),
        vec![None, Some("Noord".into()), Some("Zuid".into())]
    );
    assert_eq!(i.gebieden_voor(Some("Zuid")), vec![Some("Zuid".into())]);
    assert_eq!(
        i.laatste_meting(Some(Some("Noord"))).map(|m| m.waarde),
        Some(40.0)
    );
}

#[test]
fn a_missed_target_of_an_earlier_year_stays_visible_per_gemeente() {
    let mut i = given(vec![w(Some(2025), 50.0), w(Some(2026), 60.0)]);
    meting(&mut i, "2025", Some("Noord"), 40.0);
    meting(&mut i, "2025", Some("Zuid"), 55.0);
    let noord = i
        .vorig_jaar(2026, Some("Noord"))
        .expect("Noord missed 2025");
    assert_eq!((noord.jaar, noord.waarde), (2025, Some(40.0)));
    assert!(i.vorig_jaar(2026, Some("Zuid")).is_none(), "Zuid met 2025");
    assert!(
        i.vorig_jaar(2026, None).is_none(),
        "no value for the whole area"
    );
}
