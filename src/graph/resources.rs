//! Every Microsoft Graph resource vigil reads or writes, in one place: the request paths
//! (incidents, alerts, comments, managed-response tasks, the signed-in account, `sendMail` and
//! the Sent Items search) and the typed `sendMail` request. Callers never format a Graph path
//! themselves; ids always go through [`encode`] / [`encode_strict`] here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET` listing of incidents (the lister adds `$filter`, `$expand`, `$top`).
pub const INCIDENTS: &str = "/v1.0/security/incidents";

/// `GET` listing of alerts (`alerts_v2`; the export's alert feed adds `$top` and `$filter`).
pub const ALERTS: &str = "/v1.0/security/alerts_v2";

/// `GET` the signed-in account (delegated sign-in only).
pub const ME: &str = "/v1.0/me";

/// Percent-encodes a path segment or a query value (everything but RFC 3986 unreserved
/// characters and the OData punctuation `'():,`).
pub fn encode(s: &str) -> String {
    percent_encode(s, b"-._~'():,")
}

/// Percent-encodes everything but RFC 3986 unreserved characters (ids inside an OData string
/// literal, mailbox names, portal links).
pub fn encode_strict(s: &str) -> String {
    percent_encode(s, b"-._~")
}

fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] / [`encode_strict`]; `None` for a malformed escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `/v1.0/security/incidents/{id}` (or `/beta/...`, which carries the Defender Experts fields).
pub fn incident(id: &str, beta: bool) -> String {
    let version = if beta { "beta" } else { "v1.0" };
    format!("/{version}/security/incidents/{}", encode(id))
}

/// `/v1.0/security/incidents/{id}?$expand=alerts`: one incident with its alerts.
pub fn incident_with_alerts(id: &str) -> String {
    format!("{}?$expand=alerts", incident(id, false))
}

/// `/v1.0/security/alerts_v2/{id}`.
pub fn alert(id: &str) -> String {
    format!("{ALERTS}/{}", encode(id))
}

/// `POST` (add) or read the comments of an incident.
pub fn incident_comments(id: &str) -> String {
    format!("{}/comments", incident(id, false))
}

/// `POST` (add) or read the comments of an alert.
pub fn alert_comments(id: &str) -> String {
    format!("{}/comments", alert(id))
}

/// `GET` the managed-response tasks of one incident (beta `incidentTasks`).
pub fn incident_tasks(incident_id: &str) -> String {
    format!(
        "/beta/security/incidentTasks?$filter=incidentId%20eq%20'{}'",
        encode_strict(&incident_id.replace('\'', "''"))
    )
}

/// `PATCH` one managed-response task (beta).
pub fn incident_task(task_id: &str) -> String {
    format!("/beta/security/incidentTasks/{}", encode_strict(task_id))
}

/// `POST` running a task's one-click response action (beta, 204 on success).
pub fn execute_response_action(task_id: &str) -> String {
    format!("{}/executeResponseAction", incident_task(task_id))
}

/// The body of a new comment (`alertComment`, for incidents and alerts alike).
pub fn comment_body(text: &str) -> Value {
    serde_json::json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": text})
}

/// The `PATCH` body setting a managed-response task's status (`completed`, `notRelevant`).
pub fn task_status_body(status: &str) -> Value {
    serde_json::json!({ "status": status })
}

/// The mailbox a mail is sent from: the signed-in account or a named (shared) mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mailbox {
    /// `/v1.0/me` (delegated sign-in).
    Me,
    /// `/v1.0/users/{upn-or-id}`.
    User(String),
}

impl Mailbox {
    /// `me` (any case) or blank is the signed-in account; anything else names a mailbox.
    pub fn parse(s: &str) -> Mailbox {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("me") {
            Mailbox::Me
        } else {
            Mailbox::User(s.to_string())
        }
    }

    fn base(&self) -> String {
        match self {
            Mailbox::Me => ME.to_string(),
            Mailbox::User(u) => format!("/v1.0/users/{}", encode_strict(u)),
        }
    }

    /// `POST` path of `sendMail` for this mailbox.
    pub fn send_mail(&self) -> String {
        format!("{}/sendMail", self.base())
    }

    /// `GET` this mailbox's Sent Items with exactly this subject (sendMail returns no message
    /// id, so a mail whose outcome is unknown is looked for by subject).
    pub fn sent_items_search(&self, subject: &str) -> String {
        let filter = format!("subject eq '{}'", subject.replace('\'', "''"));
        format!(
            "{}/mailFolders/sentitems/messages?$filter={}&$select=subject&$top=10",
            self.base(),
            encode(&filter)
        )
    }

    /// The mailbox a `sendMail` path sends from (the inverse of [`Mailbox::send_mail`]).
    pub fn from_send_mail_path(path: &str) -> Option<Mailbox> {
        let base = path.strip_suffix("/sendMail")?;
        if base == ME {
            return Some(Mailbox::Me);
        }
        let user = base.strip_prefix("/v1.0/users/")?;
        if user.is_empty() || user.contains('/') {
            return None;
        }
        percent_decode(user).map(Mailbox::User)
    }
}

/// An e-mail address as Graph writes it (`{"emailAddress": {"address": …}}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    #[serde(rename = "emailAddress")]
    pub email_address: EmailAddress,
}

/// The address inside a [`Recipient`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress {
    pub address: String,
}

impl Recipient {
    /// A recipient for `address`.
    pub fn new(address: impl Into<String>) -> Recipient {
        Recipient {
            email_address: EmailAddress {
                address: address.into(),
            },
        }
    }
}

/// A message body (`contentType` `Text` for everything vigil sends).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    pub content_type: String,
    pub content: String,
}

/// A custom internet message header (`x-…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageHeader {
    pub name: String,
    pub value: String,
}

/// The `message` of a `sendMail` request: the fields vigil sets, in Graph's names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailMessage {
    #[serde(default)]
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<ItemBody>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_recipients: Vec<Recipient>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_to: Vec<Recipient>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internet_message_headers: Vec<MessageHeader>,
}

impl MailMessage {
    /// A plain-text message with `subject` and `text` to `to`.
    pub fn text(subject: impl Into<String>, text: impl Into<String>, to: &[&str]) -> MailMessage {
        MailMessage {
            subject: subject.into(),
            body: Some(ItemBody {
                content_type: "Text".to_string(),
                content: text.into(),
            }),
            to_recipients: to.iter().map(|a| Recipient::new(*a)).collect(),
            reply_to: Vec::new(),
            internet_message_headers: Vec::new(),
        }
    }
}

/// A `sendMail` request: the mailbox it is sent from and the message. On disk (the outbox)
/// and in messages it keeps the wire shape `{"path": …, "body": …}`, so entries written before
/// it was typed still load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "WireMail", try_from = "WireMail")]
pub struct SendMail {
    pub mailbox: Mailbox,
    pub message: MailMessage,
    /// `saveToSentItems`: vigil always keeps a copy (the Sent Items check needs it).
    pub save_to_sent_items: bool,
}

impl SendMail {
    /// The `POST` path.
    pub fn path(&self) -> String {
        self.mailbox.send_mail()
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let message = serde_json::to_value(&self.message).unwrap_or(Value::Null);
        serde_json::json!({ "message": message, "saveToSentItems": self.save_to_sent_items })
    }

    /// The Sent Items search for this mail's subject.
    pub fn sent_items_search(&self) -> String {
        self.mailbox.sent_items_search(&self.message.subject)
    }
}

/// The serialised shape of [`SendMail`].
#[derive(Serialize, Deserialize)]
struct WireMail {
    path: String,
    body: Value,
}

impl From<SendMail> for WireMail {
    fn from(m: SendMail) -> WireMail {
        WireMail {
            path: m.path(),
            body: m.body(),
        }
    }
}

impl TryFrom<WireMail> for SendMail {
    type Error = String;

    fn try_from(w: WireMail) -> Result<SendMail, String> {
        let mailbox = Mailbox::from_send_mail_path(&w.path)
            .ok_or_else(|| format!("not a sendMail path: {}", w.path))?;
        let message = match w.body.get("message") {
            Some(m) => serde_json::from_value(m.clone()).map_err(|e| e.to_string())?,
            None => return Err("sendMail body without a message".to_string()),
        };
        let save_to_sent_items = w
            .body
            .get("saveToSentItems")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok(SendMail {
            mailbox,
            message,
            save_to_sent_items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_filter_values_and_ids() {
        assert_eq!(
            encode("lastUpdateDateTime ge 2026-01-01T00:00:00.0000000Z"),
            "lastUpdateDateTime%20ge%202026-01-01T00:00:00.0000000Z"
        );
        assert_eq!(encode_strict("a'b c"), "a%27b%20c");
        assert_eq!(percent_decode("a%27b%20c").as_deref(), Some("a'b c"));
        assert_eq!(percent_decode("a%2"), None);
    }

    #[test]
    fn incident_and_alert_paths_encode_ids() {
        assert_eq!(
            incident("12/../x", false),
            "/v1.0/security/incidents/12%2F..%2Fx"
        );
        assert_eq!(incident("7", true), "/beta/security/incidents/7");
        assert_eq!(alert("da6_-9"), "/v1.0/security/alerts_v2/da6_-9");
        assert_eq!(
            incident_with_alerts("7"),
            "/v1.0/security/incidents/7?$expand=alerts"
        );
        assert_eq!(
            incident_comments("7"),
            "/v1.0/security/incidents/7/comments"
        );
        assert_eq!(
            alert_comments("a b"),
            "/v1.0/security/alerts_v2/a%20b/comments"
        );
    }

    #[test]
    fn task_paths_and_bodies() {
        assert_eq!(
            incident_tasks("29"),
            "/beta/security/incidentTasks?$filter=incidentId%20eq%20'29'"
        );
        assert_eq!(
            incident_task("213/213"),
            "/beta/security/incidentTasks/213%2F213"
        );
        assert_eq!(
            task_status_body("notRelevant"),
            json!({"status": "notRelevant"})
        );
        assert_eq!(
            task_status_body("completed"),
            json!({"status": "completed"})
        );
        assert_eq!(
            incident_tasks("a'b c"),
            "/beta/security/incidentTasks?$filter=incidentId%20eq%20'a%27%27b%20c'"
        );
        assert_eq!(
            execute_response_action("1/2"),
            "/beta/security/incidentTasks/1%2F2/executeResponseAction"
        );
    }

    /// The Sent Items search of the mailbox a `sendMail` path sends from.
    fn sent_items_query(send_path: &str, subject: &str) -> Option<String> {
        Mailbox::from_send_mail_path(send_path).map(|m| m.sent_items_search(subject))
    }

    #[test]
    fn sent_items_query_names_the_sending_mailbox_and_the_subject() {
        assert_eq!(
            sent_items_query("/v1.0/me/sendMail", "it's [inquiry 1]").unwrap(),
            "/v1.0/me/mailFolders/sentitems/messages?$filter=subject%20eq%20'it''s%20%5Binquiry%201%5D'&$select=subject&$top=10"
        );
        assert!(
            sent_items_query("/v1.0/users/a%40b.com/sendMail", "s")
                .unwrap()
                .starts_with("/v1.0/users/a%40b.com/mailFolders/sentitems/messages?")
        );
        assert!(sent_items_query("/v1.0/security/incidents", "s").is_none());
    }

    #[test]
    fn mailbox_paths_round_trip() {
        assert_eq!(Mailbox::parse(" ME "), Mailbox::Me);
        assert_eq!(Mailbox::parse(""), Mailbox::Me);
        let soc = Mailbox::parse("soc@contoso.com");
        assert_eq!(soc.send_mail(), "/v1.0/users/soc%40contoso.com/sendMail");
        assert_eq!(Mailbox::Me.send_mail(), "/v1.0/me/sendMail");
        for m in [Mailbox::Me, soc, Mailbox::User("a/b%c".into())] {
            assert_eq!(Mailbox::from_send_mail_path(&m.send_mail()), Some(m));
        }
        assert_eq!(Mailbox::from_send_mail_path("/v1.0/me/messages"), None);
        assert_eq!(
            Mailbox::from_send_mail_path("/v1.0/users/a/b/sendMail"),
            None
        );
    }

    #[test]
    fn send_mail_keeps_the_wire_shape_on_disk() {
        let mut message = MailMessage::text("s [inquiry 1]", "hello", &["x@contoso.com"]);
        message.reply_to.push(Recipient::new("soc@contoso.com"));
        let mail = SendMail {
            mailbox: Mailbox::Me,
            message,
            save_to_sent_items: true,
        };
        let v = serde_json::to_value(&mail).unwrap();
        assert_eq!(v["path"], json!("/v1.0/me/sendMail"));
        assert_eq!(v["body"]["saveToSentItems"], json!(true));
        assert_eq!(
            v["body"]["message"]["toRecipients"][0]["emailAddress"]["address"],
            json!("x@contoso.com")
        );
        assert_eq!(v["body"]["message"]["body"]["contentType"], json!("Text"));
        let back: SendMail = serde_json::from_value(v).unwrap();
        assert_eq!(back, mail);
        // An entry of an older build: a bare message still loads.
        let old: SendMail = serde_json::from_value(json!({
            "path": "/v1.0/users/soc%40contoso.com/sendMail",
            "body": { "message": { "subject": "x" }, "saveToSentItems": true }
        }))
        .unwrap();
        assert_eq!(old.mailbox, Mailbox::User("soc@contoso.com".into()));
        assert_eq!(old.message.subject, "x");
        assert!(
            serde_json::from_value::<SendMail>(json!({"path": "/v1.0/x", "body": {}})).is_err()
        );
    }
}
