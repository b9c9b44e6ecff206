//! Logging setup: human-readable by default, JSON with `--log-format json`
//! or `MAG_LOG_FORMAT=json`. The level comes from `RUST_LOG` (default `info`).
//!
//! Every line the server logs goes through one writer, [`Redacting`], that
//! takes out anything token-shaped before it reaches stderr ([`redact`]):
//! the request log (method, path, query), error messages and whatever a
//! dependency logs. A panic is logged through it too ([`init`] installs the
//! hook), so no line of this process carries a token, however a client sent
//! it (header, query string, path, body).

use std::borrow::Cow;
use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting::new(std::io::stderr));
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if installed.is_ok() {
        log_panics();
    }
}

/// Panics go to the log (through [`Redacting`]) instead of straight to
/// stderr; the backtrace only when `RUST_BACKTRACE` asks for one.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::capture();
        tracing::error!(%location, %backtrace, "panic: {message}");
    }));
}

/// A [`MakeWriter`] whose writers hold each log line and write it, redacted,
/// to the inner writer when the line is done (tracing-subscriber makes one
/// writer per event).
pub struct Redacting<M>(M);

impl<M> Redacting<M> {
    pub fn new(inner: M) -> Self {
        Self(inner)
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            line: Vec::new(),
            inner: self.0.make_writer(),
        }
    }
}

/// One event's text, written redacted on drop.
pub struct RedactingWriter<W: Write> {
    line: Vec<u8>,
    inner: W,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.line);
        let _ = self.inner.write_all(redact(&text).as_bytes());
        let _ = self.inner.flush();
    }
}

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Takes out of `line` everything that may be a credential:
/// - `mag_…` (this API's tokens, also cut short or altered, also with the
///   `_` percent-encoded), except the crate's own name `mag_tracker`;
/// - a run of 64 or more hex digits: a token's secret part, wherever it
///   stands (`MAG_<id>_<secret>`, a percent-encoded prefix, a bare secret);
///   ids (32 hex digits) and UUIDs stay readable;
/// - whatever follows `Bearer ` or `Basic ` (any case);
/// - the value of a query or form parameter whose name contains `token`,
///   `secret`, `password`, `passwd`, `apikey`, `api_key`, `api-key` or `auth`.
pub fn redact(line: &str) -> Cow<'_, str> {
    let b = line.as_bytes();
    let mut out = String::new();
    // `line[done..i]` is still to be copied.
    let (mut done, mut i) = (0, 0);
    while i < b.len() {
        let skip = token_at(b, i)
            .or_else(|| secret_at(b, i))
            .or_else(|| scheme_at(b, i))
            .or_else(|| parameter_at(b, i));
        match skip {
            Some((keep, end)) => {
                out.push_str(&line[done..keep]);
                out.push_str(REDACTED);
                done = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if done == 0 {
        return Cow::Borrowed(line);
    }
    out.push_str(&line[done..]);
    Cow::Owned(out)
}

fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'%')
}

/// The end of a run of bytes that are not a delimiter of a value in a log
/// line (whitespace, quotes, separators, brackets).
fn value_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| {
            c.is_ascii_whitespace()
                || matches!(
                    c,
                    b'"' | b'\'' | b',' | b';' | b'&' | b'\\' | b')' | b']' | b'}' | b'#' | b'>'
                )
        })
        .map_or(b.len(), |p| from + p)
}

fn starts_with_ignore_case(b: &[u8], at: usize, word: &[u8]) -> bool {
    b.len() >= at + word.len() && b[at..at + word.len()].eq_ignore_ascii_case(word)
}

/// `mag_<secret>` at `i` (at a word start): keep `mag_`, redact the rest.
fn token_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && b[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    // Case-sensitive: tokens are lower case, and MAG_* are environment
    // variables this server logs.
    let prefix = if b[i..].starts_with(b"mag_") {
        4
    } else if b[i..].starts_with(b"mag%5F") || b[i..].starts_with(b"mag%5f") {
        6
    } else {
        return None;
    };
    let start = i + prefix;
    let end = start
        + b[start..]
            .iter()
            .position(|&c| !is_token_byte(c))
            .unwrap_or(b.len() - start);
    let rest = &b[start..end];
    // The crate's name (log targets, module paths, the binary's name).
    if end == start || rest == b"tracker" {
        return None;
    }
    Some((start, end))
}

/// The hex digits of a token's secret (see `access::secret`).
const SECRET_HEX: usize = 64;

/// A run of at least [`SECRET_HEX`] hex digits starting at `i`, whatever
/// stands before it (`%5F`, `_`, `=`): redact the whole run.
fn secret_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && b[i - 1].is_ascii_hexdigit() {
        // Inside a run that was already measured from its start.
        return None;
    }
    let run = b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
    (run >= SECRET_HEX).then_some((i, i + run))
}

/// `Bearer <credentials>` or `Basic <credentials>` at `i`.
fn scheme_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && b[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let word = [b"bearer".as_slice(), b"basic"]
        .into_iter()
        .find(|w| starts_with_ignore_case(b, i, w))?;
    let mut start = i + word.len();
    // "Bearer x", "Bearer%20x", "Bearer+x" (a form-encoded space).
    let spaces = b[start..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t' || c == b'+')
        .count();
    let encoded = starts_with_ignore_case(b, start, b"%20");
    if spaces == 0 && !encoded {
        return None;
    }
    start += if encoded { 3 } else { spaces };
    let end = value_end(b, start);
    (end > start).then_some((start, end))
}

/// `?name=value` / `&name=value` / `;name=value` at `i` with a secret-like
/// name: keep `?name=`, redact the value.
fn parameter_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if !matches!(b[i], b'?' | b'&' | b';') {
        return None;
    }
    let name_start = i + 1;
    let eq = name_start
        + b[name_start..].iter().position(|&c| {
            !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'%'))
        })?;
    if eq == name_start || b[eq] != b'=' {
        return None;
    }
    let name = String::from_utf8_lossy(&b[name_start..eq])
        .to_ascii_lowercase()
        .replace("%5f", "_")
        .replace("%2d", "-");
    let secret = [
        "token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "auth",
    ]
    .iter()
    .any(|w| name.contains(w));
    if !secret {
        return None;
    }
    let start = eq + 1;
    let end = value_end(b, start);
    (end > start).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "mag_0123456789abcdef0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn token_shaped_text_is_redacted_wherever_it_stands() {
        let cases = [
            (
                format!("GET /v1/agendas?access_token={TOKEN} HTTP/1.1 401 0.2ms"),
                "GET /v1/agendas?access_token=[REDACTED] HTTP/1.1 401 0.2ms".to_owned(),
            ),
            (
                "GET /v1/agendas?page=1&token=abc&x=1".to_owned(),
                "GET /v1/agendas?page=1&token=[REDACTED]&x=1".to_owned(),
            ),
            (
                format!("GET /v1/agendas/{TOKEN}/acties"),
                "GET /v1/agendas/mag_[REDACTED]/acties".to_owned(),
            ),
            (
                "authorization: Bearer not-a-mag-token, next".to_owned(),
                "authorization: Bearer [REDACTED], next".to_owned(),
            ),
            (
                "Authorization: basic dXNlcjpwYXNz".to_owned(),
                "Authorization: basic [REDACTED]".to_owned(),
            ),
            (
                r#"{"message":"Idempotency-Key mag_abc is te lang","target":"mag_tracker::http"}"#
                    .to_owned(),
                r#"{"message":"Idempotency-Key mag_[REDACTED] is te lang","target":"mag_tracker::http"}"#
                    .to_owned(),
            ),
            (
                "GET /v1/x?Access%5FToken=secret&apiKey=k".to_owned(),
                "GET /v1/x?Access%5FToken=[REDACTED]&apiKey=[REDACTED]".to_owned(),
            ),
            (
                "GET /v1/x/mag%5Fabcdef".to_owned(),
                "GET /v1/x/mag%5F[REDACTED]".to_owned(),
            ),
            // The secret part however the rest is spelled: an upper-case or
            // percent-encoded prefix, or the secret alone.
            (
                format!("GET /v1/agendas?a=MAG_{}", &TOKEN[4..]),
                "GET /v1/agendas?a=MAG_0123456789abcdef0123456789abcdef_[REDACTED]".to_owned(),
            ),
            (
                format!("GET /v1/agendas/%6Dag_{} 400", &TOKEN[4..]),
                "GET /v1/agendas/%6Dag_0123456789abcdef0123456789abcdef_[REDACTED] 400"
                    .to_owned(),
            ),
            (
                format!("GET /v1/x/MAG%5F{}", TOKEN[4..].replace('_', "%5F")),
                "GET /v1/x/MAG%5F0123456789abcdef0123456789abcdef%[REDACTED]".to_owned(),
            ),
            (
                format!("GET /v1/agendas?x={}&page=1", &TOKEN[37..]),
                "GET /v1/agendas?x=[REDACTED]&page=1".to_owned(),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(redact(&line), expected, "{line}");
        }
    }

    #[test]
    fn ordinary_lines_are_left_alone() {
        for line in [
            "INFO mag_tracker::http: GET /v1/agendas?page=2&pageSize=20 HTTP/1.1 200 1.2ms",
            "store opened data_dir=./data MAG_ASOF_BUDGET_MIB=512",
            "ingebed: Bearerless tekst, basically nothing, image_tag=1",
            "één organisatie — geen token",
            "GET /v1/acties/01a241cb-5b13-76f0-9043-00f366aef599 token 01a241cb5b1376f0904300f366aef599",
        ] {
            assert!(matches!(redact(line), Cow::Borrowed(_)), "{line}");
        }
    }

    #[test]
    fn the_writer_redacts_each_line_it_passes_on() {
        let sink = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let out = sink.clone();
        let make = Redacting::new(move || Sink(out.clone()));
        {
            let mut w = make.make_writer();
            // written in two pieces, split inside the token
            w.write_all(format!("GET /?token={}", &TOKEN[..20]).as_bytes())
                .unwrap();
            w.write_all(format!("{} 401\n", &TOKEN[20..]).as_bytes())
                .unwrap();
        }
        let text = String::from_utf8(sink.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "GET /?token=[REDACTED] 401\n");
    }

    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
