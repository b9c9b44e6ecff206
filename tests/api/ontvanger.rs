//! A webhook receiver for the tests: a plain HTTP/1.1 server on 127.0.0.1
//! that records every request and answers with the status the test sets
//! (`fail_next(n, status)`, `set_status`). One request per connection
//! (`Connection: close`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Request {
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The status this request was answered with.
    pub status: u16,
}

impl Request {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

#[derive(Default)]
struct State {
    got: Vec<Request>,
    fail_next: u32,
    fail_status: u16,
    status: u16,
}

#[derive(Clone)]
pub struct Ontvanger {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Ontvanger {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let state = Arc::new(Mutex::new(State {
            status: 200,
            ..State::default()
        }));
        let s = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut headers = HashMap::new();
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.trim_end().split_once(':') {
                        headers.insert(k.trim().to_lowercase(), v.trim().to_owned());
                    }
                }
                let len: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0u8; len];
                let _ = reader.read_exact(&mut body);
                let status = {
                    let mut st = s.lock().unwrap();
                    let status = if st.fail_next > 0 {
                        st.fail_next -= 1;
                        st.fail_status
                    } else {
                        st.status
                    };
                    st.got.push(Request {
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                        status,
                    });
                    status
                };
                let answer = if status < 300 {
                    "ontvangen"
                } else {
                    "even niet"
                };
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Self { url, state }
    }

    pub fn fail_next(&self, n: u32, status: u16) {
        let mut st = self.state.lock().unwrap();
        st.fail_next = n;
        st.fail_status = status;
    }

    pub fn set_status(&self, status: u16) {
        self.state.lock().unwrap().status = status;
    }

    pub fn all(&self) -> Vec<Request> {
        self.state.lock().unwrap().got.clone()
    }

    /// Waits until `done` holds for what arrived (panics after 20 s).
    pub fn wait_for(&self, what: &str, done: impl Fn(&[Request]) -> bool) -> Vec<Request> {
        let start = Instant::now();
        loop {
            let got = self.all();
            if done(&got) {
                return got;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited for {what}; got {got:#?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
