//! Unit tests of the compose pane.
use super::*;

#[test]
fn draft_text_splits_back_at_the_context_marker() {
    let ctx = format!("{CONTEXT_MARKER}; edit as needed) ---\nTopic: x\n--- End of context ---");
    assert_eq!(
        split_draft(&format!("Is it bad?\n\n{ctx}")),
        ("Is it bad?".to_string(), ctx.clone())
    );
    assert_eq!(split_draft(&ctx), (String::new(), ctx.clone()));
    assert_eq!(
        split_draft("just a question\n"),
        ("just a question".to_string(), String::new())
    );
}

#[test]
fn reply_addresses_split_and_validate() {
    let (ok, bad) = reply_addresses("a@x.com, b@y.org; nope ,, A@X.com");
    assert_eq!(ok, vec!["a@x.com", "b@y.org"]);
    assert_eq!(bad, vec!["nope"]);
}

#[test]
fn focus_cycles_both_ways() {
    assert_eq!(Focus::Channels.step(true), Focus::Body);
    assert_eq!(Focus::Body.step(false), Focus::Channels);
    assert_eq!(Focus::Body.step(true), Focus::Context);
}

#[test]
fn editor_text_neutralises_controls() {
    let t = editor_text("a\r\nb\u{1b}[31m\rc");
    assert_eq!(t.lines().count(), 3);
    assert!(!t.contains('\u{1b}') && !t.contains('\r'));
}
