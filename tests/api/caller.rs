//! [`Caller`]: who sends a request to a test server (exactly one token, or
//! none), with the request helpers the API tests use.

use mag_tracker::event_store::EventStore;
use serde_json::Value;

use crate::support::{plain_agent, Resp};

/// Who sends a request to a test server: exactly this token, or none.
/// `app.als_pm()`, `app.als_beheerder()`, `app.als(&token)` and
/// `app.anoniem()` make one.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    base: &'a str,
    store: &'a dyn EventStore,
    token: Option<&'a str>,
}

impl<'a> Caller<'a> {
    pub fn new(base: &'a str, store: &'a dyn EventStore, token: Option<&'a str>) -> Self {
        Caller { base, store, token }
    }

    /// The `Authorization` value of this caller, if it has a token.
    pub fn bearer(&self) -> Option<String> {
        self.token.map(|t| format!("Bearer {t}"))
    }

    /// A ureq client that sends this caller's token with every request
    /// (for requests the helpers below do not cover).
    pub fn agent(&self) -> ureq::Agent {
        let bearer = self.bearer();
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .middleware(
                move |mut req: ureq::http::Request<ureq::SendBody>,
                      next: ureq::middleware::MiddlewareNext| {
                    if let Some(b) = &bearer {
                        req.headers_mut()
                            .insert("authorization", b.parse().unwrap());
                    }
                    next.handle(req)
                },
            )
            .build()
            .into()
    }

    /// The full URL of `path` (which starts after `/v1`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let r = self.call("GET", path, &[], None);
        (r.status, r.body)
    }

    /// `(status, "content-type|etag", body)`.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String, Value) {
        let r = self.call(method, path, headers, Some(body));
        (r.status, format!("{}|{}", r.content_type, r.etag), r.body)
    }

    /// Any request; the body is JSON unless `headers` name a Content-Type.
    /// A caller with a token may not bring its own `Authorization` (use
    /// `anoniem()` for that).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Resp {
        let own = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        assert!(
            !(own && self.token.is_some()),
            "{method} {path}: a caller with a token and an own Authorization header"
        );
        let bearer = self.bearer();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if let Some(b) = &bearer {
            all.push(("Authorization", b));
        }
        exchange(&self.url(path), method, &all, body)
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.call("POST", path, &[], Some(&body.to_string()))
    }

    /// PATCH with `If-Match` set to `etag`.
    pub fn patch(&self, path: &str, etag: &str, body: &Value) -> Resp {
        self.call(
            "PATCH",
            path,
            &[("If-Match", etag)],
            Some(&body.to_string()),
        )
    }

    /// A create that must succeed: 201, `Location`, `ETag`, and the created
    /// resource readable at `Location` right away by the same caller
    /// (read-your-writes).
    pub fn created(&self, path: &str, body: &Value) -> Resp {
        let r = self.post(path, body);
        assert_eq!(r.status, 201, "POST {path} {body}: {:?}", r.body);
        assert!(r.etag.starts_with('"'), "ETag on 201: {r:?}");
        assert!(r.location.starts_with("/v1/"), "Location on 201: {r:?}");
        let again = self.call("GET", &r.location["/v1".len()..], &[], None);
        if again.status != 405 && again.status != 404 {
            assert_eq!(again.status, 200, "GET {}", r.location);
            assert_eq!(again.body, r.body, "read-your-writes at {}", r.location);
        }
        r
    }

    /// A request that must be refused with `status` as problem+json and
    /// append nothing.
    pub fn refused(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
        status: u16,
    ) -> Resp {
        let before = self.store.head();
        let r = self.call(method, path, headers, Some(body));
        assert_eq!(r.status, status, "{method} {path} {body}: {:?}", r.body);
        assert!(
            r.content_type.starts_with("application/problem+json"),
            "problem+json: {r:?}"
        );
        assert_eq!(r.body["status"], status);
        assert!(r.body["title"].is_string() && r.body["detail"].is_string());
        assert_eq!(
            self.store.head(),
            before,
            "nothing appended by {method} {path} {body}"
        );
        r
    }
}

/// Sends one request with exactly these headers and reads the response.
fn exchange(url: &str, method: &str, headers: &[(&str, &str)], body: Option<&str>) -> Resp {
    let a = plain_agent();
    let result = match (method, body) {
        ("GET", _) => {
            let mut req = a.get(url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()
        }
        ("DELETE", _) => {
            let mut req = a.delete(url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()
        }
        (m, body) => {
            let mut req = match m {
                "POST" => a.post(url),
                "PATCH" => a.patch(url),
                "PUT" => a.put(url),
                other => panic!("unsupported method {other}"),
            };
            // JSON unless the test sends its own Content-Type.
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                req = req.header("Content-Type", "application/json");
            }
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.send(body.unwrap_or(""))
        }
    };
    let mut r = result.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, etag, location) =
        (header("content-type"), header("etag"), header("location"));
    let text = r.body_mut().read_to_string().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    Resp {
        status: r.status().as_u16(),
        content_type,
        etag,
        location,
        body,
    }
}
