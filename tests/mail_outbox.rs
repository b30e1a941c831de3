//! Inquiry mail through the durable outbox (issue 11.3), against a small scripted Graph:
//! persisted before it is sent, never re-sent blindly after an unknown outcome (Sent Items are
//! searched first), and reported as "outcome unknown" when that search is impossible.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil::graph::error::{ErrorKind, GraphError};
use vigil::sync::writer::MAIL_OUTCOME_UNKNOWN;
use vigil::sync::{Command, EngineConfig, EngineHandle, GraphApi, Update, WriteOp, spawn};

/// How the scripted mailbox answers.
#[derive(Clone, Copy, PartialEq)]
enum SentItems {
    /// Lists what was sent.
    Listed,
    /// 403: the check is impossible.
    Forbidden,
}

struct MailFake {
    /// Subjects that went out.
    sent: Mutex<Vec<String>>,
    /// sendMail attempts.
    posts: AtomicU64,
    /// Sent Items listings asked for.
    lookups: AtomicU64,
    sent_items: SentItems,
    /// Where the outbox lives: it must hold the mail when sendMail arrives.
    outbox: std::path::PathBuf,
    durable_before_send: Mutex<Vec<bool>>,
    requests: AtomicU64,
}

fn gerr(kind: ErrorKind, status: Option<u16>, message: &str) -> GraphError {
    GraphError {
        kind,
        status,
        code: "x".into(),
        message: message.into(),
        request_id: None,
        date: None,
    }
}

impl GraphApi for MailFake {
    async fn get_json(&self, path: &str) -> Result<Value, GraphError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if path.contains("/mailFolders/sentitems/messages") {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            return match self.sent_items {
                SentItems::Forbidden => Err(gerr(ErrorKind::Forbidden, Some(403), "no Mail.Read")),
                SentItems::Listed => {
                    let value: Vec<Value> = self
                        .sent
                        .lock()
                        .unwrap()
                        .iter()
                        .map(|s| json!({ "subject": s }))
                        .collect();
                    Ok(json!({ "value": value }))
                }
            };
        }
        Ok(json!({ "value": [] }))
    }
    async fn patch_json(&self, _path: &str, _body: &Value) -> Result<Value, GraphError> {
        Err(gerr(ErrorKind::Http, Some(400), "unexpected"))
    }
    async fn post_json(&self, path: &str, body: &Value) -> Result<Value, GraphError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        assert!(path.ends_with("/sendMail"), "{path}");
        let on_disk = std::fs::read_to_string(&self.outbox).unwrap_or_default();
        self.durable_before_send
            .lock()
            .unwrap()
            .push(on_disk.contains("SendMail"));
        let n = self.posts.fetch_add(1, Ordering::SeqCst);
        let subject = body["message"]["subject"]
            .as_str()
            .unwrap_or("")
            .to_string();
        // The mail goes out, but the first answer is lost.
        self.sent.lock().unwrap().push(subject);
        if n == 0 {
            return Err(gerr(
                ErrorKind::UnknownOutcome,
                None,
                "connection reset after sending",
            ));
        }
        Ok(Value::Null)
    }
    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Sends one inquiry mail whose first answer is lost and returns the final `MailSent` result
/// and the fake.
async fn send_with_lost_answer(sent_items: SentItems) -> (Result<(), String>, Arc<MailFake>) {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.json");
    let fake = Arc::new(MailFake {
        sent: Mutex::new(Vec::new()),
        posts: AtomicU64::new(0),
        lookups: AtomicU64::new(0),
        sent_items,
        outbox: outbox.clone(),
        durable_before_send: Mutex::new(Vec::new()),
        requests: AtomicU64::new(0),
    });
    let EngineHandle {
        commands,
        mut updates,
        task,
    } = spawn(
        fake.clone(),
        EngineConfig {
            poll_interval: Duration::from_millis(100),
            outbox_path: Some(outbox),
            ..EngineConfig::default()
        },
    );
    commands
        .send(Command::Write {
            op: 7,
            write: WriteOp::SendMail {
                inquiry_id: "inq-1".into(),
                mail: serde_json::from_value(json!({
                    "path": "/v1.0/users/soc%40contoso.com/sendMail",
                    "body": {
                        "message": { "subject": "[Ask Defender Experts] x [inquiry inq-1]" },
                        "saveToSentItems": true
                    }
                }))
                .unwrap(),
            },
        })
        .unwrap();
    let result = tokio::time::timeout(Duration::from_secs(20), async {
        let mut pending_seen = false;
        loop {
            match updates.recv().await.expect("engine stopped") {
                Update::MailPending { op: 7, .. } => pending_seen = true,
                Update::MailSent { op: 7, result, .. } => {
                    assert!(
                        pending_seen,
                        "the lost answer was reported as pending first"
                    );
                    return result;
                }
                Update::WriteQueued { write, .. } => {
                    assert!(
                        write.mail_inquiry().is_none(),
                        "mail never reaches the store"
                    )
                }
                _ => {}
            }
        }
    })
    .await
    .expect("a final outcome for the mail");
    task.abort();
    (result, fake)
}

#[tokio::test]
async fn an_uncertain_mail_found_in_sent_items_is_not_sent_again() {
    let (result, fake) = send_with_lost_answer(SentItems::Listed).await;
    assert_eq!(result, Ok(()));
    assert_eq!(fake.posts.load(Ordering::SeqCst), 1, "sent exactly once");
    assert!(
        fake.lookups.load(Ordering::SeqCst) >= 1,
        "Sent Items searched"
    );
    assert_eq!(
        *fake.durable_before_send.lock().unwrap(),
        vec![true],
        "the mail was in the outbox file before it was sent"
    );
}

#[tokio::test]
async fn an_uncertain_mail_that_cannot_be_checked_is_not_sent_again() {
    let (result, fake) = send_with_lost_answer(SentItems::Forbidden).await;
    let err = result.expect_err("the outcome is unknown");
    assert!(err.contains(MAIL_OUTCOME_UNKNOWN), "{err}");
    assert_eq!(
        fake.posts.load(Ordering::SeqCst),
        1,
        "never re-sent blindly"
    );
}
