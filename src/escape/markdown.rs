//! Markdown (CommonMark, and the GitHub extensions newsletter editors know)
//! that keeps user text inert without sprinkling backslashes over it: a
//! character is escaped only where it would be markup in its position. A
//! `#` only where it could start a heading (at the start of a block, or as
//! a heading's closing sequence), `!` never (an image needs `[`, which is
//! escaped where it could open a link), `*`, `_` and `~` only where they
//! could open or close emphasis or strikethrough, `<` only before what
//! could be a tag or autolink, `&` only before what could be an entity, a
//! list marker, `>` or a fence only at the start of a block, backticks only
//! where a code span could form. So "Het project is uitgebreid!" and
//! "#NOFilter campagne" stay as they are.
//!
//! The decision needs the whole line (a `*` in one user text could pair
//! with one in another), so a line is rendered at once from its parts:
//! [`Md::Markup`] (our own, written as is) and [`Md::Text`] (a user's).

/// A part of a line of Markdown.
#[derive(Debug, Clone, Copy)]
pub enum Md<'a> {
    /// Our own markup and words, written as they are.
    Markup(&'a str),
    /// Text a user wrote: escaped where needed, line breaks become spaces.
    Text(&'a str),
    /// Text a user wrote, in bold (`**…**`; without them when it is blank).
    Strong(&'a str),
}

/// The block a line is the content of (what comes after `#… ` or `- `).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Heading,
    ListItem,
    Paragraph,
}

#[derive(Clone, Copy)]
struct Ch {
    c: char,
    user: bool,
    escape: bool,
}

/// Renders the content of one block (one line) of Markdown.
pub fn markdown(block: Block, parts: &[Md<'_>]) -> String {
    let mut line: Vec<Ch> = Vec::new();
    let mut pieces = Vec::with_capacity(parts.len() + 2);
    for part in parts {
        match part {
            Md::Markup(t) => pieces.push((*t, false)),
            Md::Text(t) => pieces.push((*t, true)),
            // `**` needs text that starts and ends with something visible.
            Md::Strong(t) if t.trim().is_empty() => pieces.push((*t, true)),
            Md::Strong(t) => pieces.extend([("**", false), (t.trim(), true), ("**", false)]),
        }
    }
    for (text, user) in pieces {
        for c in text.chars() {
            let c = if user && matches!(c, '\n' | '\r') {
                ' '
            } else {
                c
            };
            // Leading white space would make an indented code block.
            if user && line.is_empty() && c.is_whitespace() {
                continue;
            }
            line.push(Ch {
                c,
                user,
                escape: false,
            });
        }
    }
    block_start(block, &mut line);
    if block == Block::Heading {
        closing_hashes(&mut line);
    }
    inline(&mut line);
    let mut out = String::with_capacity(line.len() + 8);
    for ch in line {
        if ch.escape {
            out.push('\\');
        }
        out.push(ch.c);
    }
    out
}

fn at(line: &[Ch], i: usize) -> Option<char> {
    line.get(i).map(|c| c.c)
}

fn blank(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || c == '\t')
}

/// What a user text at the start of a list item or paragraph could start:
/// a heading, a quote, a list, a thematic break, a code fence.
fn block_start(block: Block, line: &mut [Ch]) {
    let Some(first) = line.first().filter(|c| c.user).map(|c| c.c) else {
        return;
    };
    if block == Block::Heading {
        return;
    }
    let run = line.iter().take_while(|c| c.c == first).count();
    let escape_first = match first {
        '#' => run <= 6 && blank(at(line, run)),
        '>' => true,
        '+' => blank(at(line, 1)),
        '-' | '*' => blank(at(line, 1)) || thematic_break(line, first),
        '_' => thematic_break(line, first),
        '`' | '~' => run >= 3,
        d if d.is_ascii_digit() => {
            let digits = line.iter().take_while(|c| c.c.is_ascii_digit()).count();
            if digits <= 9
                && matches!(at(line, digits), Some('.' | ')'))
                && blank(at(line, digits + 1))
                && line[digits].user
            {
                line[digits].escape = true;
            }
            false
        }
        _ => false,
    };
    if escape_first {
        let n = if matches!(first, '`' | '~') { run } else { 1 };
        for c in line.iter_mut().take(n) {
            c.escape = c.user;
        }
    }
}

/// `---`, `* * *`, `___`: three or more of one character and nothing else
/// but spaces.
fn thematic_break(line: &[Ch], c: char) -> bool {
    line.iter().all(|x| x.c == c || x.c == ' ' || x.c == '\t')
        && line.iter().filter(|x| x.c == c).count() >= 3
}

/// A run of `#` at the end of a heading, after a space, would be taken as
/// its closing sequence and disappear.
fn closing_hashes(line: &mut [Ch]) {
    let end = line.len() - line.iter().rev().take_while(|c| c.c == ' ').count();
    let run = line[..end].iter().rev().take_while(|c| c.c == '#').count();
    if run == 0 {
        return;
    }
    let start = end - run;
    if (start == 0 || matches!(line[start - 1].c, ' ' | '\t')) && line[start].user {
        line[start].escape = true;
    }
}

fn inline(line: &mut [Ch]) {
    let backtick_runs = runs(line, '`').len();
    let link_close = (0..line.len())
        .rev()
        .find(|&j| line[j].c == ']' && matches!(at(line, j + 1), Some('(' | '[' | ']' | ':')));
    let mut i = 0;
    while i < line.len() {
        let ch = line[i];
        if !ch.user || ch.escape {
            i += 1;
            continue;
        }
        match ch.c {
            '\\' => {
                let next = at(line, i + 1);
                line[i].escape = next.is_none_or(|n| n.is_ascii_punctuation());
            }
            '`' if backtick_runs >= 2 => line[i].escape = true,
            // A link, image or reference needs a `]` followed by `(`, `[`,
            // `]` or `:` (or a footnote's `^`); "[ook jongeren]" alone
            // stays, since this document defines no references.
            '[' => {
                line[i].escape = at(line, i + 1) == Some('^')
                    || (i == 0 && line.iter().any(|c| c.c == ']'))
                    || link_close.is_some_and(|j| j > i)
            }
            '<' => {
                line[i].escape = at(line, i + 1)
                    .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
            }
            '&' => line[i].escape = entity_follows(line, i + 1),
            '*' | '_' | '~' => {
                let c = ch.c;
                let len = line[i..].iter().take_while(|x| x.c == c).count();
                let (prev, next) = (i.checked_sub(1).map(|p| line[p].c), at(line, i + len));
                let mixed = line[i..i + len].iter().any(|x| !x.user)
                    || (i > 0 && !line[i - 1].user && line[i - 1].c == c);
                if mixed || delimiter(c, prev, next) {
                    for x in &mut line[i..i + len] {
                        x.escape = x.user;
                    }
                }
                i += len;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// The runs of `c` in the line (start, length).
fn runs(line: &[Ch], c: char) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if line[i].c == c {
            let len = line[i..].iter().take_while(|x| x.c == c).count();
            out.push((i, len));
            i += len;
        } else {
            i += 1;
        }
    }
    out
}

/// `&name;`, `&#123;` or `&#x1F;` starts at `i`.
fn entity_follows(line: &[Ch], mut i: usize) -> bool {
    if at(line, i) == Some('#') {
        i += 1;
        if matches!(at(line, i), Some('x' | 'X')) {
            i += 1;
        }
    }
    let start = i;
    while at(line, i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        i += 1;
    }
    i > start && at(line, i) == Some(';')
}

/// Whether a run of `c` between `prev` and `next` could open or close
/// emphasis (CommonMark's flanking rules). Characters that are neither
/// letters, digits nor white space are tried both as punctuation and as
/// not, so a renderer with another punctuation table finds nothing either.
fn delimiter(c: char, prev: Option<char>, next: Option<char>) -> bool {
    [true, false].into_iter().any(|symbols_are_punct| {
        let kind = |x: Option<char>| match x {
            None => Kind::Space,
            Some(x) if x.is_whitespace() => Kind::Space,
            Some(x) if x.is_ascii_punctuation() => Kind::Punct,
            Some(x) if x.is_alphanumeric() => Kind::Word,
            Some(_) if symbols_are_punct => Kind::Punct,
            Some(_) => Kind::Word,
        };
        let (p, n) = (kind(prev), kind(next));
        let left = n != Kind::Space && (n != Kind::Punct || p != Kind::Word);
        let right = p != Kind::Space && (p != Kind::Punct || n != Kind::Word);
        if c == '_' {
            (left && (!right || p == Kind::Punct)) || (right && (!left || n == Kind::Punct))
        } else {
            left || right
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Space,
    Punct,
    Word,
}
