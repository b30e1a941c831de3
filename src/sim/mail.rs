//! Simulated `sendMail`, the sender's Sent Items (filtered on the subject) and `/me`.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::DELEGATED_USER;
use super::graph_mw::G;
use super::http::{ReqIds, bad_request, base_of, empty, graph_error, json_response};
use super::model::Ts;
use super::state::{Identity, lock};

/// (Graph error code, message) of a rejected `sendMail`.
type MailErr = (&'static str, String);

fn err(code: &'static str, msg: &str) -> MailErr {
    (code, msg.to_string())
}

/// Validates a `sendMail` body; returns the message.
fn validate(body: &[u8]) -> Result<(Value, bool), MailErr> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        err(
            "RequestBodyRead",
            &format!("Cannot read the request body: {e}"),
        )
    })?;
    let msg = v.get("message").filter(|m| m.is_object()).ok_or_else(|| {
        err(
            "ErrorInvalidRequest",
            "The 'message' parameter is required.",
        )
    })?;
    if !msg.get("subject").is_some_and(Value::is_string) {
        return Err(err(
            "ErrorInvalidRequest",
            "The message must have a 'subject' string.",
        ));
    }
    let body_ok = msg.get("body").is_some_and(|b| {
        b.get("content").is_some_and(Value::is_string)
            && b.get("contentType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("text") || t.eq_ignore_ascii_case("html"))
    });
    if !body_ok {
        return Err(err(
            "ErrorInvalidRequest",
            "The message 'body' must have 'contentType' (text or html) and 'content'.",
        ));
    }
    let rcpts = msg.get("toRecipients").and_then(Value::as_array);
    let valid = rcpts.is_some_and(|r| {
        !r.is_empty()
            && r.iter().all(|x| {
                x.pointer("/emailAddress/address")
                    .and_then(Value::as_str)
                    .is_some_and(|a| {
                        let mut parts = a.split('@');
                        matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.'))
                    })
            })
    });
    if !valid {
        return Err(err(
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
        ));
    }
    let save = v
        .get("saveToSentItems")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    Ok((msg.clone(), save))
}

fn record(g: &G, from: &str, msg: Value, save: bool) {
    lock(&g.shared.mail).push(json!({
        "from": from,
        "sentDateTime": Ts::now().render(),
        "saveToSentItems": save,
        "message": msg,
    }));
}

/// `POST /users/{id}/sendMail`.
pub async fn send_user(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Path(user): Path<String>,
    body: Bytes,
) -> Response {
    match validate(&body) {
        Ok((msg, save)) => {
            record(&g, &user, msg, save);
            empty(StatusCode::ACCEPTED)
        }
        Err((code, msg)) => graph_error(StatusCode::BAD_REQUEST, code, &msg, &ids),
    }
}

/// `POST /me/sendMail` (delegated tokens only).
pub async fn send_me(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> Response {
    if !who.delegated {
        return bad_request(
            "/me request is only valid with delegated authentication flow.",
            &ids,
        );
    }
    match validate(&body) {
        Ok((msg, save)) => {
            record(&g, &who.name, msg, save);
            empty(StatusCode::ACCEPTED)
        }
        Err((code, msg)) => graph_error(StatusCode::BAD_REQUEST, code, &msg, &ids),
    }
}

/// `GET /me`.
pub async fn me(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    headers: HeaderMap,
) -> Response {
    if !who.delegated {
        return bad_request(
            "/me request is only valid with delegated authentication flow.",
            &ids,
        );
    }
    let base = base_of(&headers, &g.shared.base_url());
    json_response(
        StatusCode::OK,
        &json!({
            "@odata.context": format!("{base}/{}/$metadata#users/$entity", g.ver.seg()),
            "id": "4f1c2b9e-7d3a-4e8f-9b6c-1a2d3e4f5a6b",
            "displayName": "Demo Analyst",
            "userPrincipalName": DELEGATED_USER,
            "mail": DELEGATED_USER,
        }),
    )
}

/// The subject a Sent Items `$filter` asks for: `subject eq '…'` (quotes doubled inside).
fn subject_filter(raw_query: Option<&str>) -> Option<String> {
    let filter = url::form_urlencoded::parse(raw_query?.as_bytes())
        .find(|(k, _)| k == "$filter")
        .map(|(_, v)| v.into_owned())?;
    let rest = filter.trim().strip_prefix("subject eq '")?;
    let inner = rest.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// The Sent Items of `owner`: mail it sent with `saveToSentItems`, optionally filtered on the
/// exact subject (the only filter the simulator understands; others are refused).
fn sent_items(g: &G, owner: &str, raw_query: Option<&str>, ids: &ReqIds) -> Response {
    let wants_filter = raw_query.is_some_and(|q| q.contains("filter"));
    let subject = subject_filter(raw_query);
    if wants_filter && subject.is_none() {
        return bad_request("Only $filter=subject eq '...' is supported here.", ids);
    }
    let mail = lock(&g.shared.mail);
    let value: Vec<Value> = mail
        .iter()
        .enumerate()
        .filter(|(_, m)| m["from"].as_str() == Some(owner) && m["saveToSentItems"] == json!(true))
        .filter(|(_, m)| {
            subject
                .as_deref()
                .is_none_or(|s| m.pointer("/message/subject").and_then(Value::as_str) == Some(s))
        })
        .map(|(i, m)| {
            json!({
                "id": format!("sent-{i}"),
                "subject": m.pointer("/message/subject").cloned().unwrap_or(Value::Null),
                "sentDateTime": m["sentDateTime"].clone(),
            })
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "value": value }))
}

/// `GET /users/{id}/mailFolders/sentitems/messages`.
pub async fn sent_items_user(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Path(user): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    sent_items(&g, &user, raw.as_deref(), &ids)
}

/// `GET /me/mailFolders/sentitems/messages` (delegated tokens only).
pub async fn sent_items_me(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    RawQuery(raw): RawQuery,
) -> Response {
    if !who.delegated {
        return bad_request(
            "/me request is only valid with delegated authentication flow.",
            &ids,
        );
    }
    sent_items(&g, &who.name, raw.as_deref(), &ids)
}

#[cfg(test)]
mod tests {
    use super::subject_filter;

    #[test]
    fn reads_the_subject_filter() {
        let q = "%24filter=subject%20eq%20%27it%27%27s%20%5Bx%5D%27&%24top=10";
        assert_eq!(subject_filter(Some(q)).as_deref(), Some("it's [x]"));
        assert_eq!(subject_filter(Some("$top=1")), None);
    }
}
