//! The voortgang as text for people: Markdown ready to paste into the
//! nieuwsbrief and a clean HTML fragment. Both are rendered from one outline,
//! so they always hold the same content; every text that comes from users
//! (titles, omschrijvingen, reflecties, voortgangsberichten, names, the
//! agenda's groeperingsniveau) is a [`Seg::User`] and goes through the one
//! escaping function of the format (`crate::escape`). Sections without
//! content are left out.

use chrono::{Datelike, NaiveDate};

use crate::escape::{self, Block, Md};

use super::model::{excerpt, ActieItem, BijsturingItem, OpgaveVoortgang, Voortgang};

/// A piece of a line: our own words, or text that came from a user.
enum Seg {
    Own(String),
    User(String),
    Strong(String),
}

type Line = Vec<Seg>;

enum Node {
    Heading(usize, Line),
    Para(Line),
    List(Vec<Line>),
}

fn own(s: impl Into<String>) -> Seg {
    Seg::Own(s.into())
}
fn user(s: impl Into<String>) -> Seg {
    Seg::User(s.into())
}
fn strong(s: impl Into<String>) -> Seg {
    Seg::Strong(s.into())
}

/// Long omschrijvingen are shortened in the text forms (JSON has them whole).
const SHORT: usize = 160;

const MAANDEN: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// `1 maart 2024`.
pub fn datum(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MAANDEN[d.month0() as usize], d.year())
}

pub fn getal(x: f64) -> String {
    let s = if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    };
    s.replace('.', ",")
}

fn fase(f: &str) -> String {
    let mut c = f.chars();
    c.next()
        .map(|first| first.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn capitalise(s: &str) -> String {
    fase(s)
}

fn actie_line(a: &ActieItem, with_date: bool) -> Line {
    let mut l = vec![
        strong(&a.kenmerk),
        own(" "),
        user(excerpt(&a.omschrijving, SHORT)),
    ];
    match &a.trekker {
        Some(t) => l.extend([own(" (trekker: "), user(t), own(")")]),
        None => l.push(own(" (trekkersrol nog in te vullen)")),
    }
    if with_date {
        if let Some(d) = a.ingangs_datum {
            l.push(own(format!(", per {}", datum(d))));
        }
    }
    if let Some(r) = &a.reden {
        l.extend([own(". Reden: "), user(r)]);
    }
    l
}

fn bijsturing_line(b: &BijsturingItem) -> Line {
    let mut l = vec![
        own(format!("{}, checkmoment ", datum(b.datum))),
        user(&b.checkmoment),
        own(": "),
        strong(&b.besluit),
        own(". Onderbouwing: "),
        user(&b.onderbouwing),
    ];
    if let Some(d) = b.doorgevoerd_datum {
        l.push(own(format!(" (doorgevoerd op {})", datum(d))));
    }
    l
}

fn opgave_nodes(o: &OpgaveVoortgang, level: usize, out: &mut Vec<Node>) {
    out.push(Node::Heading(
        level,
        vec![
            own("Opgave "),
            user(crate::domain::code::label(o.code.as_deref(), &o.titel)),
        ],
    ));
    if o.soort == Some(crate::http::structuur::bijdrage::BijdrageSoort::Bijdrage) {
        let mut line = vec![own("Draagt bij aan deze groepering")];
        if !o.via_doelen.is_empty() {
            let label = if o.via_doelen.len() == 1 {
                "doel"
            } else {
                "doelen"
            };
            line.push(own(format!(" via {label} ")));
            for (i, t) in o.via_doelen.iter().enumerate() {
                if i > 0 {
                    line.push(own(", "));
                }
                line.push(user(t));
            }
            line.push(own(" (alleen de wijzigingen daarvan)"));
        }
        line.push(own("; de eigen plaats van de opgave is elders."));
        out.push(Node::Para(line));
    }
    if let Some(f) = &o.pdca_fase {
        let text = match &f.van {
            Some(van) => format!("PDCA-fase: {} → {}", fase(van), fase(&f.naar)),
            None => format!("PDCA-fase: {} (nieuwe opgave)", fase(&f.naar)),
        };
        out.push(Node::Para(vec![own(text)]));
    }
    let sub = level + 1;
    let mut section = |title: &str, lines: Vec<Line>| {
        if !lines.is_empty() {
            out.push(Node::Heading(sub, vec![own(title)]));
            out.push(Node::List(lines));
        }
    };
    let acties = |items: &[ActieItem], with_date: bool| -> Vec<Line> {
        items.iter().map(|a| actie_line(a, with_date)).collect()
    };
    section("Afgeronde acties", acties(&o.acties_afgerond, true));
    section("Gestarte acties", acties(&o.acties_gestart, true));
    section("Gepauzeerde acties", acties(&o.acties_gepauzeerd, true));
    section("Vervallen acties", acties(&o.acties_vervallen, true));
    section("Nieuwe acties", acties(&o.acties_toegevoegd, false));
    section(
        "Trekkerwijzigingen",
        o.trekkerwijzigingen
            .iter()
            .map(|t| {
                let name = |n: &Option<String>| match n {
                    Some(n) => user(n),
                    None => own("nog in te vullen"),
                };
                vec![
                    strong(&t.kenmerk),
                    own(" "),
                    user(excerpt(&t.omschrijving, SHORT)),
                    own(": "),
                    name(&t.vorige_trekker),
                    own(" → "),
                    name(&t.nieuwe_trekker),
                ]
            })
            .collect(),
    );
    section(
        "Voortgangsberichten",
        o.voortgangsberichten
            .iter()
            .map(|b| {
                let mut l = vec![
                    strong(&b.kenmerk),
                    own(" "),
                    user(excerpt(&b.omschrijving, SHORT)),
                ];
                if let Some(t) = &b.trekker {
                    l.extend([own(" (trekker: "), user(t), own(")")]);
                }
                l.push(own(" — "));
                if let Some(org) = &b.auteur_organisatie {
                    l.extend([user(org), own(", ")]);
                }
                l.extend([
                    own(format!("{}: “", datum(b.datum))),
                    user(&b.tekst),
                    own("”"),
                ]);
                if b.gecorrigeerd {
                    l.push(own(" (gecorrigeerd)"));
                }
                l
            })
            .collect(),
    );
    section(
        "Reflecties",
        o.reflecties
            .iter()
            .map(|r| {
                let mut l = match &r.over_code {
                    Some(c) => vec![strong(c), own(" ")],
                    None => vec![],
                };
                l.extend([user(excerpt(&r.over_titel, SHORT)), own(" — ")]);
                if let Some(org) = &r.auteur_organisatie {
                    l.extend([user(org), own(", ")]);
                }
                l.extend([
                    own(format!("fase {}, {}: “", fase(&r.fase), datum(r.datum))),
                    user(&r.fragment),
                    own("”"),
                ]);
                l
            })
            .collect(),
    );
    section(
        "Metingen",
        o.metingen
            .iter()
            .map(|m| {
                let mut l = vec![strong(&m.indicator)];
                if let Some(c) = &m.doel_code {
                    l.extend([own(" (doel "), user(c), own(")")]);
                }
                l.extend([
                    own(format!(": {} ", getal(m.waarde))),
                    user(&m.eenheid),
                    own(" over "),
                    user(&m.periode),
                ]);
                if let Some(g) = &m.gemeente {
                    l.extend([own(" voor "), user(g)]);
                }
                l.push(own(format!(" ({})", m.status)));
                if let Some(s) = m.streefwaarde {
                    l.push(own(format!("; streefwaarde {}", getal(s))));
                }
                if let Some(n) = m.nulmeting {
                    l.push(own(format!("; nulmeting {}", getal(n))));
                }
                match m.koers.as_deref() {
                    Some("opKoers") => l.push(own("; op koers")),
                    Some(_) => l.push(own("; niet op koers")),
                    None => {}
                }
                if let Some(o) = &m.ontwikkeling {
                    l.push(own(format!("; {o} ten opzichte van de nulmeting")));
                }
                l
            })
            .collect(),
    );
    section(
        "Bijsturingen",
        o.bijsturingen.iter().map(bijsturing_line).collect(),
    );
}

fn outline(v: &Voortgang) -> Vec<Node> {
    let mut heading = vec![own("Voortgang "), user(&v.agenda)];
    if let Some(g) = &v.gemeente {
        heading.extend([own(" voor "), user(g)]);
    }
    let mut out = vec![Node::Heading(1, heading)];
    let period = match (v.sinds_datum, v.tot_datum) {
        (Some(s), Some(t)) => format!("Wijzigingen van {} tot en met {}", datum(s), datum(t)),
        (Some(s), None) => format!("Wijzigingen sinds {}", datum(s)),
        _ => format!("Wijzigingen na positie {}", v.sinds_positie),
    };
    out.push(Node::Para(vec![own(format!(
        "{period} (volledig tot en met positie {}).",
        v.tot_positie
    ))]));
    let nothing =
        v.agendabrede_bijsturingen.is_empty() && v.groeperingen.is_empty() && v.opgaven.is_empty();
    if nothing {
        out.push(Node::Para(vec![own("Geen wijzigingen in deze periode.")]));
        return out;
    }
    if !v.agendabrede_bijsturingen.is_empty() {
        out.push(Node::Heading(
            2,
            vec![own("Bijsturingen voor de hele agenda")],
        ));
        out.push(Node::List(
            v.agendabrede_bijsturingen
                .iter()
                .map(bijsturing_line)
                .collect(),
        ));
    }
    let niveau = capitalise(v.groeperingsniveau.as_deref().unwrap_or("groepering"));
    for g in &v.groeperingen {
        let mut h = vec![user(&niveau), own(" ")];
        if let Some(c) = &g.code {
            h.extend([user(c), own(" ")]);
        }
        h.push(user(&g.naam));
        out.push(Node::Heading(2, h));
        for o in &g.opgaven {
            opgave_nodes(o, 3, &mut out);
        }
    }
    if !v.opgaven.is_empty() {
        let level = if v.groeperingen.is_empty() {
            2
        } else {
            out.push(Node::Heading(2, vec![own("Overige opgaven")]));
            3
        };
        for o in &v.opgaven {
            opgave_nodes(o, level, &mut out);
        }
    }
    out
}

/// One line of Markdown: our words as they are, user text through
/// [`escape::markdown`], which escapes only what would be markup where it stands.
fn md_line(block: Block, l: &Line) -> String {
    let parts: Vec<Md> = l
        .iter()
        .map(|s| match s {
            Seg::Own(t) => Md::Markup(t),
            Seg::User(t) => Md::Text(t),
            Seg::Strong(t) => Md::Strong(t),
        })
        .collect();
    escape::markdown(block, &parts)
}

fn html_line(l: &Line) -> String {
    l.iter()
        .map(|s| match s {
            Seg::Own(t) | Seg::User(t) => escape::html(t),
            Seg::Strong(t) => format!("<strong>{}</strong>", escape::html(t)),
        })
        .collect()
}

pub fn markdown(v: &Voortgang) -> String {
    let mut out = String::new();
    for node in outline(v) {
        match node {
            Node::Heading(level, l) => out.push_str(&format!(
                "{} {}\n\n",
                "#".repeat(level),
                md_line(Block::Heading, &l)
            )),
            Node::Para(l) => out.push_str(&format!("{}\n\n", md_line(Block::Paragraph, &l))),
            Node::List(items) => {
                for l in items {
                    out.push_str(&format!("- {}\n", md_line(Block::ListItem, &l)));
                }
                out.push('\n');
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

pub fn html(v: &Voortgang) -> String {
    let mut out = String::from("<article class=\"voortgang\">\n");
    for node in outline(v) {
        match node {
            Node::Heading(level, l) => {
                out.push_str(&format!("<h{level}>{}</h{level}>\n", html_line(&l)))
            }
            Node::Para(l) => out.push_str(&format!("<p>{}</p>\n", html_line(&l))),
            Node::List(items) => {
                out.push_str("<ul>\n");
                for l in items {
                    out.push_str(&format!("<li>{}</li>\n", html_line(&l)));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("</article>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_dates_and_numbers() {
        assert_eq!(
            datum(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()),
            "1 maart 2024"
        );
        assert_eq!(getal(12.5), "12,5");
        assert_eq!(getal(40.0), "40");
    }
}
