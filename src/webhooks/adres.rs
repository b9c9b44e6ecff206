//! Which callback URLs the server may call (SSRF): `https` only, except
//! plain `http` to a loopback host when the operator allows it
//! (`--webhooks-allow-http-loopback`, for local use); never an address that
//! is private, loopback, link-local (cloud metadata lives there),
//! unspecified, shared (CGNAT), multicast or broadcast, unless the operator
//! allows it (`--webhooks-allow-private`). Checked when a subscription is
//! made *and* at every connection: [`Resolver`] resolves the host itself and
//! hands reqwest only the addresses that pass, so a DNS answer that changes
//! after the check (rebinding) cannot reach an internal address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;

/// What the operator allows beyond public https endpoints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Toegestaan {
    pub http_loopback: bool,
    pub private: bool,
}

/// Why a callback URL is refused (Dutch, for the API and `afleveringen`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Geweigerd {
    /// Not a URL the API takes at all (400 `invalid-callback-url`).
    #[error("{0}")]
    Ongeldig(String),
    /// It is, but points at an address the server may not call (400
    /// `callback-url-not-allowed`).
    #[error("{0}")]
    Adres(String),
}

/// Whether `ip` is one the server refuses to call without `--webhooks-allow-private`.
pub fn intern(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return intern(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x64 && v6.segments()[1] == 0xff9b)
        }
    }
}

/// Whether the server may connect to `ip` under `t`.
pub fn mag(ip: IpAddr, t: Toegestaan) -> bool {
    t.private || !intern(ip) || (t.http_loopback && ip.is_loopback())
}

fn loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks the form of a callback URL (no DNS): what the API takes.
pub fn vorm(raw: &str, t: Toegestaan) -> Result<Url, Geweigerd> {
    let bad = |m: &str| Err(Geweigerd::Ongeldig(m.to_owned()));
    let Ok(url) = Url::parse(raw) else {
        return bad(
            "De callbackUrl is geen absolute URL (bijv. https://partner.example.nl/mag-webhook).",
        );
    };
    match url.scheme() {
        "https" => {}
        "http" if t.http_loopback && loopback_host(&url) => {}
        "http" if loopback_host(&url) => {
            return bad("Gewone http mag alleen naar loopback als de server met --webhooks-allow-http-loopback draait; gebruik https.")
        }
        _ => return bad("De callbackUrl begint met https:// (gewone http alleen naar loopback, als de server dat toestaat)."),
    }
    if url.host().is_none() {
        return bad("De callbackUrl noemt geen host.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad("Zet geen gebruikersnaam of wachtwoord in de callbackUrl: de URL staat in de gebeurtenissen. De ontvanger controleert de handtekening.");
    }
    if url.fragment().is_some() {
        return bad("Een callbackUrl heeft geen fragment (#…).");
    }
    if raw.len() > 2000 {
        return bad("De callbackUrl is hoogstens 2000 tekens.");
    }
    Ok(url)
}

fn refused(ip: IpAddr) -> Geweigerd {
    Geweigerd::Adres(format!(
        "De callbackUrl wijst naar {ip}, een privé-, loopback-, link-local- of ander intern adres; de server roept zulke adressen niet aan (tenzij de beheerder van de server --webhooks-allow-private zet)."
    ))
}

/// The addresses of the URL's host that the server may call; refused when
/// any address is internal (a name that resolves to several addresses
/// could be steered to the internal one) or none resolves.
pub async fn adressen(url: &Url, t: Toegestaan) -> Result<Vec<SocketAddr>, Geweigerd> {
    let port = url.port_or_known_default().unwrap_or(443);
    let found: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Domain(d)) => {
            let lookup = tokio::net::lookup_host((d, port));
            match tokio::time::timeout(std::time::Duration::from_secs(3), lookup).await {
                Ok(Ok(found)) => found.collect(),
                Ok(Err(e)) => {
                    return Err(Geweigerd::Adres(format!(
                        "De host {d} van de callbackUrl is niet te vinden ({e})."
                    )))
                }
                Err(_) => {
                    return Err(Geweigerd::Adres(format!(
                        "De host {d} van de callbackUrl is niet binnen 3 s te vinden."
                    )))
                }
            }
        }
        None => {
            return Err(Geweigerd::Ongeldig(
                "De callbackUrl noemt geen host.".into(),
            ))
        }
    };
    if let Some(bad) = found.iter().find(|a| !mag(a.ip(), t)) {
        return Err(refused(bad.ip()));
    }
    if found.is_empty() {
        return Err(Geweigerd::Adres(
            "De host van de callbackUrl heeft geen adres.".into(),
        ));
    }
    Ok(found)
}

/// reqwest's DNS resolver for deliveries: [`adressen`]'s rule at every
/// connection.
pub struct Resolver(pub Toegestaan);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let t = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = found.iter().find(|a| !mag(a.ip(), t)) {
                return Err(Box::new(refused(bad.ip())) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub fn resolver(t: Toegestaan) -> Arc<Resolver> {
    Arc::new(Resolver(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(intern(ip(s)), "{s}");
            assert!(!mag(ip(s), Toegestaan::default()), "{s}");
        }
        for s in [
            "93.184.215.14",
            "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
            "8.8.8.8",
        ] {
            assert!(!intern(ip(s)), "{s}");
        }
        let lo = Toegestaan {
            http_loopback: true,
            private: false,
        };
        assert!(mag(ip("127.0.0.1"), lo) && !mag(ip("10.0.0.1"), lo));
        assert!(mag(
            ip("10.0.0.1"),
            Toegestaan {
                http_loopback: false,
                private: true
            }
        ));
    }

    #[test]
    fn only_https_or_loopback_http_when_allowed() {
        let none = Toegestaan::default();
        let lo = Toegestaan {
            http_loopback: true,
            private: false,
        };
        assert!(vorm("https://partner.example.nl/hook", none).is_ok());
        assert!(vorm("http://partner.example.nl/hook", lo).is_err());
        assert!(vorm("http://127.0.0.1:9/hook", none).is_err());
        assert!(vorm("http://127.0.0.1:9/hook", lo).is_ok());
        assert!(vorm("http://localhost:9/hook", lo).is_ok());
        assert!(vorm("ftp://x.nl/", lo).is_err());
        assert!(vorm("https://u:p@x.nl/", none).is_err());
        assert!(vorm("/relatief", none).is_err());
    }
}
