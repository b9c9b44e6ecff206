//! The Markdown escaping checked by a real CommonMark renderer
//! (pulldown-cmark, with the GitHub extensions on): hostile user text in
//! every position the voortgang uses renders as plain text, and ordinary
//! Dutch sentences come out without a backslash.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{markdown, Block, Md};

/// Renders `doc` and returns its text, or the first thing that is not
/// plain text in a heading, list item, paragraph or our own `**`.
fn render(doc: &str) -> Result<String, String> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut text = String::new();
    for event in Parser::new_ext(doc, options) {
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak => text.push(' '),
            Event::Start(Tag::Paragraph | Tag::Item | Tag::Strong | Tag::Heading { .. })
            | Event::Start(Tag::List(None)) => {}
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::Strong
                | TagEnd::Heading(_)
                | TagEnd::List(false),
            ) => text.push(' '),
            other => return Err(format!("{other:?}")),
        }
    }
    Ok(text)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The positions user text takes in the voortgang's Markdown, each a whole
/// document with the text the renderer should show.
fn positions(v: &str) -> Vec<(String, String)> {
    use Md::{Markup, Strong, Text};
    let item = |parts: &[Md]| format!("- {}\n", markdown(Block::ListItem, parts));
    let heading = |parts: &[Md]| format!("## {}\n", markdown(Block::Heading, parts));
    vec![
        (item(&[Text(v)]), v.to_owned()),
        (item(&[Strong(v), Markup(" "), Text(v)]), format!("{v} {v}")),
        (
            item(&[
                Strong("1.1"),
                Markup(" "),
                Text(v),
                Markup(" (trekker: "),
                Text(v),
                Markup(")"),
            ]),
            format!("1.1 {v} (trekker: {v})"),
        ),
        (
            item(&[Markup("Mijande, fase Do: “"), Text(v), Markup("”")]),
            format!("Mijande, fase Do: “{v}”"),
        ),
        (heading(&[Text(v)]), v.to_owned()),
        (
            heading(&[Markup("Opgave 1.1 "), Text(v)]),
            format!("Opgave 1.1 {v}"),
        ),
        (
            format!("{}\n", markdown(Block::Paragraph, &[Text(v)])),
            v.to_owned(),
        ),
    ]
}

const HOSTILE: &[&str] = &[
    "[klik hier](http://evil.example)",
    "![plaatje](http://evil.example/x.png)",
    "[tekst][ref]",
    "[ref]: http://evil.example",
    "[^1]: voetnoot",
    "voetnoot[^1]",
    "[ ] taak",
    "[x] taak",
    "[[wiki]]",
    "zie [a] en [b](http://evil.example)",
    "[a]\n[a]: http://evil.example",
    "[a][] en [a]",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"http://evil.example\">link</a>",
    "<!-- verborgen -->",
    "<?php echo 1; ?>",
    "<![CDATA[x]]>",
    "<http://evil.example>",
    "<info@evil.example>",
    "# Kop",
    "###### Kop",
    "## Kop ##",
    "Kop #",
    "Kop ###",
    "- lijst",
    "+ lijst",
    "* lijst",
    "1. genummerd",
    "3) genummerd",
    "123456789. lang",
    "> citaat",
    ">citaat",
    "---",
    "***",
    "___",
    "* * *",
    "| a | b |",
    "|---|---|",
    "a | b\n--|--\nc | d",
    "```rust",
    "~~~",
    "`code`",
    "``dubbel ` code``",
    "a `b` c `d`",
    "`",
    "*nadruk*",
    "_nadruk_",
    "**vet**",
    "__vet__",
    "***beide***",
    "~~doorgehaald~~",
    "~doorgehaald~",
    "a*b*c",
    "foo*bar*",
    "*foo*bar",
    "_a_ _b_",
    "(*x*)",
    "“*x*”",
    "&amp; &#60; &#x3C; &copy;",
    "&nbsp;",
    "\\*geen nadruk\\*",
    "regel\\",
    "\\",
    "    ingesprongen code",
    "\tingesprongen",
    "regel een\nregel twee",
    "regel\r\n# kop",
    "regel\n\n- lijst",
    "regel\n===",
    "regel\n---",
    "*",
    "**",
    "_",
    "<",
    "&",
    "[",
    "]",
    "!",
];

#[test]
fn hostile_text_renders_as_plain_text_in_every_position() {
    for v in HOSTILE {
        for (doc, expected) in positions(v) {
            let shown =
                render(&doc).unwrap_or_else(|markup| panic!("{v:?} became {markup} in:\n{doc}"));
            assert_eq!(squash(&shown), squash(&expected), "{v:?} in:\n{doc}");
        }
    }
}

const ORDINARY: &[&str] = &[
    "Het project is uitgebreid!",
    "#NOFilter campagne",
    "Stand: 3 - 2 voor",
    "Opgeleverd: 12 woningen (8 sociaal, 4 vrije sector).",
    "Fase 1. Verkennen is afgerond; fase 2. start in mei.",
    "Sportclubs + scholen = meer bewegen",
    "Bereik: 40% * 2 = 80%",
    "Vraag? Mail info@twenterand.nl",
    "Samenwerking met Jansen & Zn en R&D-afdeling",
    "Kosten < 5.000 euro, opbrengst > verwachting",
    "Actie #3 van 5 is klaar",
    "Wat ging goed: veel aanmeldingen - wat kan beter: de communicatie",
    "snake_case_naam en bestand_v2.pdf",
    "Zie www.twenterand.nl voor meer (ook over de 2e ronde)",
    "Het \"Taalcafé\" draait; 's avonds ook",
    "Doel: 1.000+ deelnemers",
    "Resultaat: goed!!!",
    "Vergadering op 1-2-2024 om 19:30 uur",
    "Meer dan 50 huishoudens geholpen (+12 t.o.v. 2023)",
    "Vrijwilligers [ook jongeren] doen mee",
];

#[test]
fn ordinary_dutch_sentences_get_no_backslash() {
    use Md::{Markup, Text};
    for v in ORDINARY {
        for line in [
            markdown(Block::ListItem, &[Markup("**1.1** "), Text(v)]),
            markdown(
                Block::ListItem,
                &[Markup("Mijande, fase Do: “"), Text(v), Markup("”")],
            ),
            markdown(Block::Heading, &[Markup("Opgave 1.1 "), Text(v)]),
            markdown(Block::ListItem, &[Text(v)]),
        ] {
            assert!(!line.contains('\\'), "{v:?} became {line:?}");
        }
        for (doc, expected) in positions(v) {
            assert_eq!(render(&doc).map(|t| squash(&t)), Ok(squash(&expected)));
        }
    }
}

#[test]
fn escapes_only_where_markup_would_start() {
    use Md::{Markup, Text};
    let item = |v: &str| markdown(Block::ListItem, &[Text(v)]);
    assert_eq!(item("# Kop"), "\\# Kop");
    assert_eq!(item("#NOFilter"), "#NOFilter");
    assert_eq!(item("1. stap"), "1\\. stap");
    assert_eq!(item("- lijst"), "\\- lijst");
    assert_eq!(item("3 - 2"), "3 - 2");
    assert_eq!(item("uitgebreid!"), "uitgebreid!");
    assert_eq!(item("![x](y)"), "!\\[x](y)");
    assert_eq!(item("a *b* c"), "a \\*b\\* c");
    assert_eq!(item("a * b"), "a * b");
    assert_eq!(item("<b>"), "\\<b>");
    assert_eq!(item("3 < 4"), "3 < 4");
    assert_eq!(item("&amp;"), "\\&amp;");
    assert_eq!(item("R&D"), "R&D");
    assert_eq!(
        markdown(Block::Heading, &[Markup("Opgave "), Text("Kop #")]),
        "Opgave Kop \\#"
    );
}
