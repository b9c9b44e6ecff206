//! Every stable error `code` the API can answer, in one enum: in problem
//! bodies (`code`), in `invalidParams[].code`, and in refusals of the domain.
//! The spec publishes it as an `enum` (schema `Foutcode`), `docs/foutcodes.md`
//! lists it with the usual status and meaning (generated from [`Foutcode::ALL`]
//! by `tests/foutcodes.rs`). A code that is not here does not compile.

use serde::Serialize;

macro_rules! foutcodes {
    ($($variant:ident = $code:literal, $status:literal, $meaning:literal;)*) => {
        /// A stable, English, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Foutcode {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl Foutcode {
            pub const ALL: &'static [Foutcode] = &[$(Foutcode::$variant),*];

            /// The code as it appears in the JSON (`invalid-input`).
            pub const fn as_str(self) -> &'static str {
                match self { $(Foutcode::$variant => $code,)* }
            }

            /// The code of this text (`invalid-input`), if there is one.
            pub fn parse(code: &str) -> Option<Foutcode> {
                Self::ALL.iter().copied().find(|c| c.as_str() == code)
            }

            /// The HTTP status this code usually comes with.
            pub const fn status(self) -> u16 {
                match self { $(Foutcode::$variant => $status,)* }
            }

            /// What it means, in Dutch, for the documentation.
            pub const fn betekenis(self) -> &'static str {
                match self { $(Foutcode::$variant => $meaning,)* }
            }
        }
    };
}

foutcodes! {
    ActieVervallen = "actie-vervallen", 409, "De actie is vervallen; heropen haar eerst.";
    AfterClose = "after-close", 400, "De datum ligt na het sluiten van het checkmoment.";
    AmbiguousGroepering = "ambiguous-groepering", 400, "Meer dan één groepering in het bestand heeft deze naam; geef de groepering een sleutel en verwijs daarnaar.";
    AuthenticationRequired = "authentication-required", 401, "Geen (geldig) token meegestuurd.";
    BadRequest = "bad-request", 400, "Het verzoek kon niet worden verwerkt.";
    BandRequired = "band-required", 400, "Een streefwaarde 'binnen bandbreedte' heeft een onder- en bovengrens nodig.";
    BeforeCheckmoment = "before-checkmoment", 400, "De datum ligt vóór het checkmoment.";
    BeforeDecision = "before-decision", 400, "Doorvoeren kan niet vóór de datum van het besluit.";
    BeforeStart = "before-start", 400, "De einddatum ligt vóór de startdatum.";
    BerichtIngetrokken = "bericht-ingetrokken", 409, "Het voortgangsbericht is ingetrokken.";
    BeyondHead = "beyond-head", 400, "De gevraagde positie ligt voorbij het laatste event.";
    BijsturingDoorgevoerd = "bijsturing-doorgevoerd", 409, "De bijsturing is al doorgevoerd.";
    CallbackUrlNotAllowed = "callback-url-not-allowed", 400, "De callbackUrl wijst naar een privé-, loopback-, link-local- of ander intern adres (zie docs/notificaties.md).";
    CheckmomentGesloten = "checkmoment-gesloten", 409, "Het checkmoment is gesloten.";
    ConflictingFields = "conflicting-fields", 400, "Deze velden gaan niet samen.";
    ConflictingParameters = "conflicting-parameters", 400, "Deze parameters gaan niet samen (bijv. peildatum en positie).";
    DoelVervallen = "doel-vervallen", 409, "Het doel is vervallen.";
    DuplicateBijdrage = "duplicate-bijdrage", 409, "Het onderdeel draagt al bij aan deze groepering.";
    DuplicateCode = "duplicate-code", 409, "De code is al in gebruik bij een onderdeel van dezelfde soort op dezelfde plek.";
    DuplicateKenmerk = "duplicate-kenmerk", 400, "Het kenmerk komt twee keer voor in het bestand.";
    DuplicateNaam = "duplicate-naam", 409, "Er is al een organisatie met deze naam (ook in een andere spelling).";
    DuplicateOrganisatie = "duplicate-organisatie", 400, "De organisatie komt twee keer voor in het bestand.";
    DuplicateParameter = "duplicate-parameter", 400, "Een parameter staat meer dan eens in het verzoek.";
    DuplicateSleutel = "duplicate-sleutel", 400, "Twee groeperingen in het bestand hebben dezelfde sleutel.";
    DuplicateYear = "duplicate-year", 400, "Voor dit jaar is al een streefwaarde opgegeven.";
    Duplicate = "duplicate", 400, "De waarde staat er al (bijv. een naam die al in gebruik is).";
    Forbidden = "forbidden", 403, "Dit token mag dit niet.";
    FutureDate = "future-date", 400, "De datum ligt in de toekomst.";
    GemeenteScope = "gemeente-scope", 403, "Dit token is beperkt tot één gemeente van de agenda en mag dit daarom niet.";
    IdempotencyKeyReused = "idempotency-key-reused", 422, "De Idempotency-Key is al gebruikt voor een ander verzoek.";
    IfMatchRequired = "if-match-required", 428, "Stuur de ETag mee in If-Match.";
    ImportTooLarge = "import-too-large", 413, "Het importbestand is te groot.";
    IncompleteParameters = "incomplete-parameters", 400, "Geef één van deze parameters (bijv. sinds of sindsPositie).";
    InThePast = "in-the-past", 400, "Het tijdstip ligt in het verleden.";
    Inconsistent = "inconsistent", 400, "Rijen van het CSV-bestand spreken elkaar tegen over hetzelfde element.";
    InternalError = "internal-error", 500, "Er ging iets mis aan de kant van de server; er is niets gewijzigd.";
    InvalidAgendaFile = "invalid-agenda-file", 400, "Het agendabestand is ongeldig.";
    InvalidBoolean = "invalid-boolean", 400, "Geen true of false.";
    InvalidCallbackUrl = "invalid-callback-url", 400, "De callbackUrl is geen absolute https-URL (http alleen naar loopback, als de server dat toestaat).";
    InvalidCode = "invalid-code", 400, "Geen geldige code (zoals 2.1.3).";
    InvalidCsv = "invalid-csv", 400, "Het CSV-bestand is ongeldig.";
    InvalidDateTime = "invalid-date-time", 400, "Geen tijdstip als 2026-12-31T23:59:59Z.";
    InvalidDate = "invalid-date", 400, "Geen datum als JJJJ-MM-DD.";
    InvalidEmail = "invalid-email", 400, "Geen e-mailadres.";
    InvalidEncoding = "invalid-encoding", 400, "Het bestand is geen UTF-8.";
    InvalidEtag = "invalid-etag", 400, "De If-Match is geen ETag van deze API.";
    InvalidId = "invalid-id", 400, "Geen geldig id.";
    InvalidInput = "invalid-input", 400, "Het verzoek bevat ongeldige velden; zie invalidParams.";
    InvalidJson = "invalid-json", 400, "Geen geldige JSON.";
    InvalidKenmerk = "invalid-kenmerk", 400, "Geen geldig actiekenmerk.";
    InvalidLength = "invalid-length", 400, "De lengte klopt niet.";
    InvalidNumber = "invalid-number", 400, "Geen getal in het toegestane bereik.";
    InvalidParent = "invalid-parent", 400, "Dit kan niet onder dat bovenliggende element.";
    InvalidPeriod = "invalid-period", 400, "Geen geldige periode.";
    InvalidPosition = "invalid-position", 400, "Geen geldige positie in de log.";
    InvalidRange = "invalid-range", 400, "Het einde ligt vóór het begin.";
    InvalidStatusTransition = "invalid-status-transition", 409, "Deze statusovergang is niet toegestaan.";
    InvalidTrekker = "invalid-trekker", 400, "Geen geldige trekker.";
    InvalidType = "invalid-type", 400, "Het veld heeft het verkeerde type.";
    InvalidUuid = "invalid-uuid", 400, "Geen UUID.";
    InvalidValue = "invalid-value", 400, "Geen toegestane waarde.";
    InvalidYear = "invalid-year", 400, "Geen geldig jaar.";
    Invalid = "invalid", 400, "Ongeldige waarde.";
    JsonTooDeep = "json-too-deep", 400, "De JSON is te diep genest.";
    MalformedJson = "malformed-json", 400, "De body is geen geldige JSON.";
    MethodNotAllowed = "method-not-allowed", 405, "Deze methode kan niet op deze resource; zie de header Allow.";
    Minimum = "minimum", 400, "Kleiner dan het minimum.";
    MissingColumn = "missing-column", 400, "Een verplichte kolom ontbreekt in het CSV-bestand.";
    MixedRange = "mixed-range", 400, "Begin en einde zijn van verschillende soort (datum en positie).";
    NestedSubdoel = "nested-subdoel", 400, "Een subdoel kan geen subdoelen hebben.";
    NotAcceptable = "not-acceptable", 406, "Het gevraagde formaat (Accept) wordt niet ondersteund.";
    NotAllowed = "not-allowed", 400, "Deze waarde is hier niet toegestaan.";
    NotFirstOrganisatie = "not-first-organisatie", 400, "Alleen op een lege opslag: het token registreert de eerste organisatie.";
    NotFound = "not-found", 404, "Er is geen resource met dit id (of u mag haar niet zien).";
    NotSupportedYet = "not-supported-yet", 400, "Dit onderdeel van het bestand wordt nog niet ondersteund.";
    NotSupported = "not-supported", 400, "Niet ondersteund.";
    NotYetExisting = "not-yet-existing", 404, "De resource bestond op de peildatum nog niet.";
    OpgaveVervallen = "opgave-vervallen", 409, "De opgave is vervallen.";
    OutOfRange = "out-of-range", 400, "Buiten het toegestane bereik (datums: 1900 tot en met 2200).";
    OutsidePeriod = "outside-period", 400, "De datum ligt buiten de periode van de agenda.";
    OutsideUitvoeringsperiode = "outside-uitvoeringsperiode", 400, "Het jaar of de datum ligt buiten de uitvoeringsperiode van een gemeente van de actie.";
    PayloadTooLarge = "payload-too-large", 413, "Het verzoek is te groot.";
    PositionNotReached = "position-not-reached", 503, "Deze server heeft de gevraagde positie (X-Wacht-Op-Positie) nog niet bereikt; probeer het zo opnieuw (Retry-After).";
    PrimaryGroepering = "primary-groepering", 409, "Dit is de eigen groepering van het onderdeel; een bijdrage gaat naar een andere.";
    Range = "range", 400, "Ongeldig bereik.";
    ReasonRequired = "reason-required", 400, "Deze statusovergang (vervallen, heropenen) vraagt een reden.";
    RateLimited = "rate-limited", 429, "Te veel verzoeken; probeer het zo opnieuw (Retry-After).";
    ReflectieIngetrokken = "reflectie-ingetrokken", 409, "De reflectie is ingetrokken.";
    Required = "required", 400, "Verplicht veld ontbreekt of is leeg.";
    RequiresClosing = "requires-closing", 400, "Dit veld hoort bij het sluiten van het checkmoment.";
    SecretUnavailable = "secret-unavailable", 503, "Het geheim van een abonnement kon niet worden opgeslagen; er is niets gewijzigd.";
    StaleEtag = "stale-etag", 412, "De resource is intussen gewijzigd; haal haar opnieuw op.";
    StoreUnavailable = "store-unavailable", 503, "De opslag is niet beschikbaar; er is niets gewijzigd.";
    StreefwaardeUnchanged = "streefwaarde-unchanged", 409, "De streefwaarde is niet gewijzigd.";
    Subdoel = "subdoel", 400, "Een subdoel verhuist mee met zijn bovenliggende doel; verplaats dat.";
    SubscriptionAlreadyCreated = "subscription-already-created", 409, "Met deze Idempotency-Key is al een abonnement gemaakt; het geheim wordt maar één keer getoond.";
    TokenAlreadyIssued = "token-already-issued", 409, "Met deze Idempotency-Key is al een token uitgegeven.";
    TokenExpired = "token-expired", 401, "Het token is verlopen.";
    TokenMalformed = "token-malformed", 401, "Het token heeft niet de vorm van een token van deze API.";
    TokenRevoked = "token-revoked", 401, "Het token is ingetrokken.";
    TokenUnknown = "token-unknown", 401, "Het token is onbekend.";
    TooLong = "too-long", 400, "Te lang.";
    TooMany = "too-many", 400, "Te veel elementen.";
    TrekkerUnchanged = "trekker-unchanged", 409, "De trekker is niet gewijzigd.";
    UnknownAgenda = "unknown-agenda", 400, "Er is geen agenda met dit id.";
    UnknownBericht = "unknown-bericht", 400, "Er is geen voortgangsbericht met dit id.";
    UnknownBijsturing = "unknown-bijsturing", 400, "Er is geen bijsturing met dit id (van deze agenda).";
    UnknownColumn = "unknown-column", 400, "Onbekende kolom in het CSV-bestand.";
    UnknownDoel = "unknown-doel", 400, "Er is geen doel met dit id.";
    UnknownField = "unknown-field", 400, "Onbekend veld in de body.";
    UnknownFormat = "unknown-format", 400, "Onbekend formaat.";
    UnknownGemeente = "unknown-gemeente", 400, "Dit is geen gemeente van de agenda.";
    UnknownGroepering = "unknown-groepering", 400, "Er is geen groepering met dit id.";
    UnknownLevel = "unknown-level", 400, "De agenda heeft dit groeperingsniveau niet.";
    UnknownOnderwerp = "unknown-onderwerp", 400, "Het onderwerp bestaat niet (in deze agenda).";
    UnknownOpgave = "unknown-opgave", 400, "Er is geen opgave met dit id.";
    UnknownOrganisatie = "unknown-organisatie", 400, "Er is geen organisatie met dit id.";
    UnknownParameter = "unknown-parameter", 400, "Onbekende queryparameter.";
    Unknown = "unknown", 400, "Onbekende waarde.";
    Unreadable = "unreadable", 400, "Het verzoek is niet leesbaar.";
    UnsupportedMediaType = "unsupported-media-type", 415, "Dit Content-Type wordt niet ondersteund.";
    WeergavecodeMismatch = "weergavecode-mismatch", 400, "De weergavecode volgt uit de codes en past er niet bij.";
}

// Written out: the derive would not see the renames the macro generates.
impl utoipa::PartialSchema for Foutcode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Stabiele foutcode (docs/foutcodes.md): in `code` van een problem en in `invalidParams[].code`.",
            ))
            .enum_values(Some(Foutcode::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for Foutcode {}

impl std::fmt::Display for Foutcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Foutcode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Foutcode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
