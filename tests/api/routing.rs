//! Routing around the `/{id}` segment, which the router matches by hand
//! (`Routes` in `src/http/mod.rs`): the same answers as a route per pattern.

use crate::client::start;

#[test]
fn routes_answer_the_same_around_the_id_segment() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path().to_path_buf());
    let agenda = app.agenda_id();
    let actie = app.als_pm().get(&format!("/agendas/{agenda}/acties")).body["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // the collection, an item, a sub-resource, a static second segment
    // (the feed as the beheerder, who sees all of it)
    for (caller, path) in [
        (app.als_pm(), "/agendas".to_owned()),
        (app.als_pm(), format!("/agendas/{agenda}")),
        (app.als_pm(), format!("/agendas/{agenda}/opgaven")),
        (app.als_pm(), format!("/acties/{actie}")),
        (app.als_pm(), format!("/acties/{actie}/voortgangsberichten")),
        (app.als_beheerder(), "/gebeurtenissen".to_owned()),
        (app.als_pm(), "/openapi.json".to_owned()),
    ] {
        assert_eq!(caller.call("GET", &path, &[], "").status, 200, "{path}");
    }
    // no id, an empty one, an unknown sub-resource: the unknown-route problem
    for path in [
        "/acties/".to_owned(),
        "/acties//voortgangsberichten".to_owned(),
        format!("/acties/{actie}/onbekend"),
        format!("/acties/{actie}/"),
        "/onbekend".to_owned(),
    ] {
        let r = app.als_pm().call("GET", &path, &[], "");
        assert_eq!(
            (r.status, r.content_type.as_str()),
            (404, "application/problem+json"),
            "{path}"
        );
        assert_eq!(
            r.body["detail"].as_str().unwrap(),
            format!(
                "Er bestaat geen resource op GET /v1{path}. Zie /v1/docs/ voor de beschikbare endpoints."
            ),
            "{path}"
        );
        assert_eq!(r.body["instance"].as_str().unwrap(), format!("/v1{path}"));
    }
    // an id that is no uuid: the path parameter is refused, as before
    let r = app.als_pm().call("GET", "/acties/geen-uuid", &[], "");
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["invalidParams"][0]["name"], "path.id", "{}", r.body);
    app.stop();
}
