//! The harness for the journey tests: run the binary's commands
//! ([`cli`]), start `serve` on a data directory and a free port
//! ([`Server::start`]), call it over HTTP ([`Server::call`]) and stop it
//! gracefully ([`Server::stop`]).

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mag-tracker");

/// Runs `mag-tracker <args>` to completion.
pub fn cli(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A command's stdout (or stderr) as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `mag-tracker token create --rol <rol> --organisatie <organisatie>
/// --data-dir <dir> <extra…>` (a demo store unless `extra` says
/// `--no-demo`), run to completion.
pub fn token_create(dir: &Path, rol: &str, organisatie: &str, extra: &[&str]) -> Output {
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "token",
        "create",
        "--rol",
        rol,
        "--organisatie",
        organisatie,
        "--data-dir",
        d,
    ];
    args.extend_from_slice(extra);
    cli(&args)
}

/// [`token_create`], asserted to succeed: the token it printed.
pub fn token_create_ok(dir: &Path, rol: &str, organisatie: &str, extra: &[&str]) -> String {
    let out = token_create(dir, rol, organisatie, extra);
    assert!(
        out.status.success(),
        "token create --rol {rol} --organisatie {organisatie:?} {extra:?} failed:\n{}",
        text(&out.stderr)
    );
    token_from(&text(&out.stdout))
}

/// Runs `mag-tracker <args>`, asserts it succeeded, returns its stdout.
pub fn cli_ok(args: &[&str]) -> String {
    let out = cli(args);
    assert!(
        out.status.success(),
        "mag-tracker {args:?} failed:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The token printed by `token create` (the line that starts with `mag_`).
pub fn token_from(stdout: &str) -> String {
    stdout
        .split_whitespace()
        .find(|w| w.starts_with("mag_"))
        .unwrap_or_else(|| panic!("no token in:\n{stdout}"))
        .to_owned()
}

/// A response as a client reads it.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

/// A running `mag-tracker serve`.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>/v1`
    pub base: String,
    pub dir: PathBuf,
    agent: ureq::Agent,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// `serve --data-dir <dir> --bind 127.0.0.1:<free port> <extra>`, once it answers.
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        Self::launch(Command::new(BIN), dir, extra, Duration::from_secs(60))
    }

    /// Like [`Server::start`], with `serve` run by a wrapper command (e.g.
    /// `strace -f -o trace.txt`); stop it with [`Server::stop_wrapped`].
    pub fn start_wrapped(wrapper: &[&str], dir: &Path, extra: &[&str]) -> Server {
        let mut command = Command::new(wrapper[0]);
        command.args(&wrapper[1..]).arg(BIN);
        Self::launch(command, dir, extra, Duration::from_secs(120))
    }

    /// Adds `serve`'s arguments to `command`, starts it and waits until the
    /// server answers (at most `patience`).
    fn launch(mut command: Command, dir: &Path, extra: &[&str], patience: Duration) -> Server {
        let port = free_port();
        let child = command
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let base = format!("http://127.0.0.1:{port}/v1");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let deadline = Instant::now() + patience;
        while agent.get(format!("{base}/openapi.json")).call().is_err() {
            assert!(Instant::now() < deadline, "serve did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child: Some(child),
            base,
            dir: dir.to_path_buf(),
            agent,
        }
    }

    /// SIGTERM to the `serve` process under the wrapper (its child), then
    /// waits for both; returns the log.
    pub fn stop_wrapped(mut self) -> String {
        let child = self.child.take().unwrap();
        let wrapper = child.id();
        let children = std::fs::read_to_string(format!("/proc/{wrapper}/task/{wrapper}/children"))
            .unwrap_or_default();
        let serve = children
            .split_whitespace()
            .next()
            .expect("the wrapper runs serve");
        let term = Command::new("kill")
            .args(["-TERM", serve])
            .status()
            .unwrap();
        assert!(term.success());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "serve failed: {}", text(&out.stderr));
        text(&out.stderr)
    }

    /// Any method; `path` is below `/v1` (e.g. `/agendas`); `token` goes in
    /// `Authorization: Bearer`; a non-empty `body` is sent as JSON.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        let url = format!("{}{path}", self.base);
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if !body.is_empty() {
            req = req.header("Content-Type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(body.to_owned()).unwrap();
        let mut r = self.agent.run(req).expect("the server answers");
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        Resp {
            status: r.status().as_u16(),
            headers,
            text: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call("GET", path, token, &[], "")
    }

    pub fn post(&self, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        self.call("POST", path, Some(token), &[], &body.to_string())
    }

    /// SIGTERM (a graceful stop); returns the server's log.
    pub fn stop(mut self) -> String {
        let child = self.child.take().unwrap();
        let term = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "serve failed: {}", text(&out.stderr));
        text(&out.stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Server {
    /// A `PATCH` sent as JSON Merge Patch (`application/merge-patch+json`,
    /// RFC 7396) with `If-Match: etag`, as a partner's client sends it.
    pub fn merge_patch(
        &self,
        path: &str,
        token: &str,
        etag: &str,
        body: &serde_json::Value,
    ) -> Resp {
        let req = ureq::http::Request::builder()
            .method("PATCH")
            .uri(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/merge-patch+json")
            .header("If-Match", etag)
            .body(body.to_string())
            .unwrap();
        let mut r = self.agent.run(req).expect("the server answers");
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        Resp {
            status: r.status().as_u16(),
            headers,
            text: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }
}
