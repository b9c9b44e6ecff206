//! How the code of a groepering, opgave or doel shows (its weergavecode,
//! derived by [`crate::domain::code::weergavecode`] up the tree) and how
//! the item is named in text ([`crate::domain::code::label`]). Read from a
//! [`CodeBoom`]: the read model, or a fake in tests.

use uuid::Uuid;

use crate::domain::agenda::Groepering;
use crate::domain::code::{self, Code};
use crate::domain::doel::Doel;
use crate::domain::opgave::Opgave;

/// The tree the weergavecodes are derived from.
pub trait CodeBoom {
    fn groepering_knoop(&self, id: Uuid) -> Option<&Groepering>;
    fn opgave_knoop(&self, id: Uuid) -> Option<&Opgave>;
    fn doel_knoop(&self, id: Uuid) -> Option<&Doel>;
}

/// A groepering's weergavecode (its parent: the groepering above it).
pub fn groepering(boom: &impl CodeBoom, id: Uuid) -> Option<Code> {
    let g = boom.groepering_knoop(id)?;
    code::weergavecode(g.code.as_ref(), || {
        // Levels are finite and a groepering's parent is of the level
        // above, so this ends.
        g.bovenliggende_groepering_id
            .filter(|p| *p != id)
            .and_then(|p| groepering(boom, p))
    })
}

/// An opgave's weergavecode (its parent: its groepering).
pub fn opgave(boom: &impl CodeBoom, id: Uuid) -> Option<Code> {
    let o = boom.opgave_knoop(id)?;
    code::weergavecode(o.code.as_ref(), || {
        o.groepering_id.and_then(|g| groepering(boom, g))
    })
}

/// A doel's weergavecode (its parent: its bovenliggende doel, else its
/// opgave).
pub fn doel(boom: &impl CodeBoom, id: Uuid) -> Option<Code> {
    let d = boom.doel_knoop(id)?;
    code::weergavecode(d.code.as_ref(), || match d.bovenliggend_doel_id {
        Some(p) if p != id => doel(boom, p),
        _ => opgave(boom, d.opgave_id),
    })
}

fn groepering_verankerd(boom: &impl CodeBoom, id: Uuid) -> bool {
    boom.groepering_knoop(id).is_some_and(|g| {
        code::verankerd(g.code.as_ref(), || {
            g.bovenliggende_groepering_id
                .filter(|p| *p != id)
                .map(|p| groepering_verankerd(boom, p))
        })
    })
}

fn opgave_verankerd(boom: &impl CodeBoom, id: Uuid) -> bool {
    boom.opgave_knoop(id).is_some_and(|o| {
        code::verankerd(o.code.as_ref(), || {
            o.groepering_id.map(|g| groepering_verankerd(boom, g))
        })
    })
}

fn doel_verankerd(boom: &impl CodeBoom, id: Uuid) -> bool {
    boom.doel_knoop(id).is_some_and(|d| {
        code::verankerd(d.code.as_ref(), || {
            Some(match d.bovenliggend_doel_id {
                Some(p) if p != id => doel_verankerd(boom, p),
                _ => opgave_verankerd(boom, d.opgave_id),
            })
        })
    })
}

/// The opgave's weergavecode when it names the opgave within the agenda
/// (see [`code::verankerd`]); what an actie's kenmerk may start with.
pub fn opgave_referentie(boom: &impl CodeBoom, id: Uuid) -> Option<Code> {
    opgave_verankerd(boom, id)
        .then(|| opgave(boom, id))
        .flatten()
}

/// The doel's weergavecode when it names the doel within the agenda.
pub fn doel_referentie(boom: &impl CodeBoom, id: Uuid) -> Option<Code> {
    doel_verankerd(boom, id).then(|| doel(boom, id)).flatten()
}

/// How groepering `id` is named in text (`1 Iedereen doet mee` or the name).
pub fn groepering_label(boom: &impl CodeBoom, id: Uuid) -> Option<String> {
    let g = boom.groepering_knoop(id)?;
    Some(code::label(groepering(boom, id).as_ref(), &g.naam))
}

/// How opgave `id` is named in text (`1.1 Titel` or the title).
pub fn opgave_label(boom: &impl CodeBoom, id: Uuid) -> Option<String> {
    let o = boom.opgave_knoop(id)?;
    Some(code::label(opgave(boom, id).as_ref(), &o.titel))
}

/// How doel `id` is named in text (`1.1.3 Titel` or the title).
pub fn doel_label(boom: &impl CodeBoom, id: Uuid) -> Option<String> {
    let d = boom.doel_knoop(id)?;
    Some(code::label(doel(boom, id).as_ref(), &d.titel))
}
