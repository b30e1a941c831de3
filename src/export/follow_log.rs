//! Health and progress of `vigil export --follow` as one line each on stderr: readable text,
//! or one JSON object per line (`--log-format json`). Error texts are external data and pass
//! the sanitiser in both forms.

use super::follow::FollowEvent;
use crate::ui::sanitize::sanitize;
use serde_json::{Value, json};

/// One line for `event`: JSON when `json`, text otherwise.
pub fn follow_line(event: &FollowEvent, json: bool) -> String {
    if json {
        json_line(event).to_string()
    } else {
        sanitize(&text_line(event)).into_owned()
    }
}

/// A final line: the follow ended with `message` (`error`: non-zero exit).
pub fn end_line(message: &str, error: bool, json: bool) -> String {
    if json {
        json!({
            "ts": now(),
            "level": if error { "error" } else { "info" },
            "event": if error { "fatal" } else { "stopped" },
            "message": sanitize(message),
        })
        .to_string()
    } else {
        sanitize(&format!("follow: {message}")).into_owned()
    }
}

fn text_line(event: &FollowEvent) -> String {
    match event {
        FollowEvent::Started { resumed, watermark } => match (resumed, watermark) {
            (true, Some(w)) => format!("follow: resuming from the checkpoint at {w}"),
            _ => "follow: starting with a full pull".into(),
        },
        FollowEvent::Polled {
            written,
            seen,
            skipped,
            watermark,
        } => format!(
            "follow: poll done: {written} written, {seen} seen, {skipped} skipped (no id or \
             time), watermark {}",
            watermark.as_deref().unwrap_or("-")
        ),
        FollowEvent::Retrying {
            error,
            retry_in,
            failures,
        } => format!(
            "follow: poll failed ({failures} in a row), retrying in {}s: {error}",
            retry_in.as_secs_f64()
        ),
        FollowEvent::CheckpointNotSaved { error } => {
            format!("follow: checkpoint not saved (lines may repeat after a crash): {error}")
        }
    }
}

fn json_line(event: &FollowEvent) -> Value {
    let (level, name, fields) = match event {
        FollowEvent::Started { resumed, watermark } => (
            "info",
            "started",
            json!({ "resumed": resumed, "watermark": watermark }),
        ),
        FollowEvent::Polled {
            written,
            seen,
            skipped,
            watermark,
        } => (
            if *skipped > 0 { "warn" } else { "info" },
            "poll",
            json!({ "written": written, "seen": seen, "skipped": skipped, "watermark": watermark }),
        ),
        FollowEvent::Retrying {
            error,
            retry_in,
            failures,
        } => (
            "warn",
            "retrying",
            json!({
                "error": sanitize(error),
                "retry_in_secs": retry_in.as_secs_f64(),
                "failures": failures,
            }),
        ),
        FollowEvent::CheckpointNotSaved { error } => (
            "warn",
            "checkpoint_not_saved",
            json!({ "error": sanitize(error) }),
        ),
    };
    let mut line = json!({ "ts": now(), "level": level, "event": name });
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    line
}

fn now() -> String {
    crate::graph::model::Timestamp::now().to_graph()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_json_line_is_one_object_with_level_event_and_sanitised_fields() {
        let e = FollowEvent::Retrying {
            error: "503 \u{1b}]0;owned\u{7} down".into(),
            retry_in: Duration::from_secs(2),
            failures: 3,
        };
        let line = follow_line(&e, true);
        assert!(!line.contains('\n'));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["level"], "warn");
        assert_eq!(v["event"], "retrying");
        assert_eq!(v["failures"], 3);
        assert_eq!(v["retry_in_secs"], 2.0);
        assert!(!v["error"].as_str().unwrap().contains('\u{1b}'), "{v}");
        let text = follow_line(&e, false);
        assert!(text.starts_with("follow: poll failed (3 in a row)") && !text.contains('\u{1b}'));
    }
}
