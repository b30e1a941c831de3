//! Notices from the store (new High incidents, Defender Experts notifications, incidents
//! assigned to you, write outcomes): every notice of one poll is announced, several of a kind
//! summarised on the toast line ("3 new High incidents: #12, #15, #19"), and each one is
//! kept in the session's notice history (the `notices` key, `N` by default).

use super::{App, Level};
use crate::graph::model::Timestamp;
use crate::store::Notice;

/// How many notices the history keeps (oldest dropped first).
const HISTORY_LIMIT: usize = 500;

/// One announced notice, as kept in the history. The text is raw (sanitised when drawn).
#[derive(Clone, Debug, PartialEq)]
pub struct NoticeRecord {
    pub at: Timestamp,
    pub level: Level,
    pub text: String,
}

/// The kinds notices are grouped by when several arrive at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    NewHigh,
    NewExperts,
    AssignedToMe,
    Saved,
    RolledBack,
    Conflict,
}

impl Kind {
    fn of(n: &Notice) -> Kind {
        match n {
            Notice::NewHighSeverity { .. } => Kind::NewHigh,
            Notice::NewExpertsNotification { .. } => Kind::NewExperts,
            Notice::AssignedToMe { .. } => Kind::AssignedToMe,
            Notice::WriteConfirmed { .. } => Kind::Saved,
            Notice::WriteRolledBack { .. } => Kind::RolledBack,
            Notice::Conflict { .. } => Kind::Conflict,
        }
    }

    /// "3 new High incidents" for a group of `n`.
    fn summary(self, n: usize) -> String {
        match self {
            Kind::NewHigh => format!("{n} new High incidents"),
            Kind::NewExperts => format!("{n} new Defender Experts notifications"),
            Kind::AssignedToMe => format!("{n} incidents assigned to you"),
            Kind::Saved => format!("Saved {n} changes"),
            Kind::RolledBack => format!("{n} changes rolled back (N lists why)"),
            Kind::Conflict => format!("{n} conflicts, nothing sent (N lists them)"),
        }
    }
}

/// What the notice is about, short: `#12`, `alert da1`.
fn subject(n: &Notice) -> String {
    match n {
        Notice::NewHighSeverity { id, .. }
        | Notice::NewExpertsNotification { id, .. }
        | Notice::AssignedToMe { id, .. }
        | Notice::Conflict {
            incident_id: id, ..
        } => format!("#{id}"),
        Notice::WriteConfirmed { target, .. } | Notice::WriteRolledBack { target, .. } => {
            target.to_string()
        }
    }
}

/// The full text of one notice, its level and whether it deserves the bell.
pub(super) fn describe(n: &Notice) -> (Level, String, bool) {
    match n {
        Notice::NewHighSeverity { id, title } => (
            Level::Warn,
            format!("New High incident #{id}: {title}"),
            true,
        ),
        Notice::NewExpertsNotification { id, title } => (
            Level::Warn,
            format!("New Defender Experts notification #{id}: {title}"),
            true,
        ),
        Notice::AssignedToMe { id, title } => {
            (Level::Info, format!("Assigned to you: #{id} {title}"), true)
        }
        Notice::WriteConfirmed { target, .. } => (Level::Info, format!("Saved {target}"), false),
        Notice::WriteRolledBack {
            target, message, ..
        } => (
            Level::Error,
            format!("Rolled back {target}: {message}"),
            true,
        ),
        Notice::Conflict {
            incident_id,
            fields,
            ..
        } => (
            Level::Error,
            format!(
                "Conflict: incident {incident_id} changed on the server ({}); your change waits — y overwrite, n discard, :retry later",
                fields.join(", ")
            ),
            true,
        ),
    }
}

fn severity(l: Level) -> u8 {
    match l {
        Level::Info => 0,
        Level::Warn => 1,
        Level::Error => 2,
    }
}

/// The toast for notices that arrived together: a lone notice in full, several of
/// a kind as "3 new High incidents: #12, #15, #19"; kinds joined with " · ". Also the highest
/// level among them. `None` for no notices.
pub(super) fn summarise(notices: &[Notice]) -> Option<(Level, String)> {
    let mut groups: Vec<(Kind, Vec<&Notice>)> = Vec::new();
    for n in notices {
        let k = Kind::of(n);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(n),
            None => groups.push((k, vec![n])),
        }
    }
    let mut level = Level::Info;
    let mut parts = Vec::new();
    for (kind, members) in &groups {
        for n in members {
            let (l, _, _) = describe(n);
            if severity(l) > severity(level) {
                level = l;
            }
        }
        match members.as_slice() {
            [one] => parts.push(describe(one).1),
            many => {
                let subjects: Vec<String> = many.iter().map(|n| subject(n)).collect();
                parts.push(format!(
                    "{}: {}",
                    kind.summary(many.len()),
                    subjects.join(", ")
                ));
            }
        }
    }
    (!parts.is_empty()).then(|| (level, parts.join(" · ")))
}

impl App {
    /// Announces the notices of one update together and records each in the history.
    /// Returns whether any deserves the bell.
    pub(super) fn announce(&mut self, notices: Vec<Notice>) -> bool {
        let mut bell = false;
        for n in &notices {
            let (level, text, ring) = describe(n);
            bell |= ring;
            self.remember(level, text);
        }
        if let Some((level, text)) = summarise(&notices) {
            self.show_toast(level, text);
        }
        bell
    }

    /// Adds a line to the notice history.
    pub(super) fn remember(&mut self, level: Level, text: String) {
        if self.notice_history.len() >= HISTORY_LIMIT {
            self.notice_history.remove(0);
        }
        self.notice_history.push(NoticeRecord {
            at: self.now,
            level,
            text,
        });
    }

    /// The notices of this session, oldest first.
    pub fn notice_history(&self) -> &[NoticeRecord] {
        &self.notice_history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn high(id: &str) -> Notice {
        Notice::NewHighSeverity {
            id: id.into(),
            title: format!("t{id}"),
        }
    }

    #[test]
    fn one_notice_in_full_several_summarised_by_kind() {
        assert_eq!(summarise(&[]), None);
        let (_, one) = summarise(&[high("7")]).unwrap();
        assert_eq!(one, "New High incident #7: t7");
        let mine = Notice::AssignedToMe {
            id: "9".into(),
            title: "x".into(),
        };
        let (level, s) = summarise(&[high("12"), mine, high("15"), high("19")]).unwrap();
        assert_eq!(level, Level::Warn);
        assert_eq!(
            s,
            "3 new High incidents: #12, #15, #19 · Assigned to you: #9 x"
        );
    }
}
