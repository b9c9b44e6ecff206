//! Extreme dates against the real binary (issue 15): each once made a
//! handler panic and the server drop the connection (and log a backtrace).

use super::support::*;

#[test]
fn extreme_dates_get_a_400_and_the_server_logs_no_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&tmp.path().join("data"), &[]);
    let agendas = server.get("/agendas", None).json();
    let a = agendas["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let opgaven = server.get(&format!("/agendas/{a}/opgaven"), None).json();
    let o = opgaven["resultaten"][0]["id"].as_str().unwrap().to_owned();
    for (path, param) in [
        (
            format!("/agendas/{a}?peildatum=%2B262142-12-31"),
            "query.peildatum",
        ),
        (
            format!("/opgaven/{o}/pdca?peildatum=%2B262142-12-31"),
            "query.peildatum",
        ),
        (
            format!("/agendas/{a}/overzicht?peildatum=%2B262142-12-31"),
            "query.peildatum",
        ),
        (
            format!("/agendas/{a}/voortgang?sinds=-262143-01-01"),
            "query.sinds",
        ),
        (
            format!("/agendas/{a}/wijzigingen?sinds=-262143-01-01"),
            "query.sinds",
        ),
        (
            format!("/agendas/{a}?peiltijdstip=9999-12-31T23:59:59Z"),
            "query.peiltijdstip",
        ),
    ] {
        let r = server.get(&path, None);
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        let p = r.json();
        assert_eq!(p["invalidParams"][0]["name"], param, "{path}");
        assert!(
            p["invalidParams"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("1900-01-01 t/m 2200-12-31"),
            "{path}: {p}"
        );
    }
    let log = server.stop();
    assert!(!log.contains("panic"), "{log}");
}
