//! Serde adapters for the few state fields whose types are shaped for the
//! JSON of events (an internally tagged enum, fields skipped when empty),
//! which a non-self-describing binary format such as the read-model
//! snapshot's (postcard) cannot read back. In a human-readable format they
//! serialize exactly as the type itself does.
//!
//! Any new state field of such a type needs one of these; the snapshot
//! round-trip test (`projections::snapshot`) fails otherwise.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::actie::Trekker;
use super::checkmoment::{VoorgenomenWijziging, WijzigingSoort};
use super::indicator::Waarde;

#[derive(Serialize, Deserialize)]
enum TrekkerBin {
    Organisatie(Uuid),
    Groep(String),
}

type WaardeBin = (Option<i32>, f64, Option<f64>, Option<f64>);

fn waarde_bin(w: &Waarde) -> WaardeBin {
    (w.jaar, w.waarde, w.ondergrens, w.bovengrens)
}

fn waarde_from((jaar, waarde, ondergrens, bovengrens): WaardeBin) -> Waarde {
    Waarde {
        jaar,
        waarde,
        ondergrens,
        bovengrens,
    }
}

/// For `Option<Trekker>`.
pub mod trekker {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<Trekker>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return t.serialize(s);
        }
        t.as_ref()
            .map(|t| match t {
                Trekker::Organisatie { organisatie_id } => TrekkerBin::Organisatie(*organisatie_id),
                Trekker::Groep { naam } => TrekkerBin::Groep(naam.clone()),
            })
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Trekker>, D::Error> {
        if d.is_human_readable() {
            return Option::<Trekker>::deserialize(d);
        }
        Ok(Option::<TrekkerBin>::deserialize(d)?.map(|t| match t {
            TrekkerBin::Organisatie(organisatie_id) => Trekker::Organisatie { organisatie_id },
            TrekkerBin::Groep(naam) => Trekker::Groep { naam },
        }))
    }
}

/// For `Option<Waarde>`.
pub mod waarde {
    use super::*;

    pub fn serialize<S: Serializer>(w: &Option<Waarde>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return w.serialize(s);
        }
        w.as_ref().map(waarde_bin).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Waarde>, D::Error> {
        if d.is_human_readable() {
            return Option::<Waarde>::deserialize(d);
        }
        Ok(Option::<WaardeBin>::deserialize(d)?.map(waarde_from))
    }
}

/// For `Vec<Waarde>`.
pub mod waarden {
    use super::*;

    pub fn serialize<S: Serializer>(w: &[Waarde], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return w.serialize(s);
        }
        s.collect_seq(w.iter().map(waarde_bin))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Waarde>, D::Error> {
        if d.is_human_readable() {
            return Vec::<Waarde>::deserialize(d);
        }
        Ok(Vec::<WaardeBin>::deserialize(d)?
            .into_iter()
            .map(waarde_from)
            .collect())
    }
}

/// For `Vec<VoorgenomenWijziging>`.
pub mod wijzigingen {
    use super::*;

    type Bin = (WijzigingSoort, String, Option<Uuid>);

    pub fn serialize<S: Serializer>(w: &[VoorgenomenWijziging], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return w.serialize(s);
        }
        s.collect_seq(w.iter().map(|w| (w.soort, &w.omschrijving, w.onderwerp_id)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<VoorgenomenWijziging>, D::Error> {
        if d.is_human_readable() {
            return Vec::<VoorgenomenWijziging>::deserialize(d);
        }
        Ok(Vec::<Bin>::deserialize(d)?
            .into_iter()
            .map(|(soort, omschrijving, onderwerp_id)| VoorgenomenWijziging {
                soort,
                omschrijving,
                onderwerp_id,
            })
            .collect())
    }
}

/// For `DateTime<Utc>`: seconds and nanoseconds instead of RFC 3339 text,
/// which took a quarter of the snapshot's load time to parse. Used on the
/// instants there are many of (one or two per event).
pub mod instant {
    use super::*;
    use chrono::{DateTime, Utc};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return t.serialize(s);
        }
        (t.timestamp(), t.timestamp_subsec_nanos()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        if d.is_human_readable() {
            return DateTime::<Utc>::deserialize(d);
        }
        let (secs, nanos) = <(i64, u32)>::deserialize(d)?;
        DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| serde::de::Error::custom("instant out of range"))
    }
}

/// For `NaiveDate`: days since 1 January of year 1.
pub mod date {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return d.serialize(s);
        }
        d.num_days_from_ce().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        if d.is_human_readable() {
            return NaiveDate::deserialize(d);
        }
        NaiveDate::from_num_days_from_ce_opt(i32::deserialize(d)?)
            .ok_or_else(|| serde::de::Error::custom("date out of range"))
    }
}

/// For `Option<NaiveDate>`.
pub mod date_opt {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return d.serialize(s);
        }
        d.map(|d| d.num_days_from_ce()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        if d.is_human_readable() {
            return Option::<NaiveDate>::deserialize(d);
        }
        Option::<i32>::deserialize(d)?
            .map(|n| {
                NaiveDate::from_num_days_from_ce_opt(n)
                    .ok_or_else(|| serde::de::Error::custom("date out of range"))
            })
            .transpose()
    }
}
