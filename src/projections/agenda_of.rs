//! Which agenda a stream belongs to: fills `metadata.agendaId` of new events
//! (the feed's agenda filter and visibility depend on it).

use uuid::Uuid;

use super::ReadModel;
use crate::domain::Event;

impl ReadModel {
    /// The agenda an existing stream belongs to (`None` for organisaties and
    /// unknown streams).
    pub fn agenda_of(&self, stream_id: Uuid) -> Option<Uuid> {
        if self.agendas.contains_key(&stream_id) {
            return Some(stream_id);
        }
        self.acties
            .get(&stream_id)
            .map(|e| e.state.agenda_id)
            .or_else(|| self.opgaven.get(&stream_id).map(|e| e.state.agenda_id))
            .or_else(|| self.doelen.get(&stream_id).map(|e| e.state.agenda_id))
            .or_else(|| self.groeperingen.get(&stream_id).map(|e| e.state.agenda_id))
            .or_else(|| self.indicatoren.get(&stream_id).map(|e| e.state.agenda_id))
            .or_else(|| self.reflecties.get(&stream_id).map(|e| e.state.agenda_id))
            .or_else(|| {
                self.checkmomenten
                    .get(&stream_id)
                    .map(|e| e.state.agenda_id)
            })
    }

    /// The agenda a new event for `stream_id` belongs to: the agenda itself,
    /// the `agendaId` of a creating event, or the stream's agenda.
    pub fn agenda_of_event(&self, stream_id: Uuid, event: &Event) -> Option<Uuid> {
        if let Event::AgendaAangemaakt(_) = event {
            return Some(stream_id);
        }
        event
            .data()
            .get("agendaId")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .or_else(|| self.agenda_of(stream_id))
    }
}
