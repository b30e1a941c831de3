//! Key bindings of the panes drawn over a page, and their hint labels. A pane context never
//! falls back to the global bindings (`q` closes a list, it does not quit), and its keys are
//! remapped like any other (`[ui] keymap`, e.g. `confirm.yes = ["o"]`).

use super::{Context, Keymap};
use crate::ui::action::Action;

/// The default pane bindings: (context, keys, action).
pub(super) const PANE_DEFAULTS: &[(Context, &[&str], Action)] = {
    use Action as A;
    use Context as C;
    &[
        (C::Confirm, &["y", "Y", "enter"], A::Yes),
        (C::Confirm, &["n", "N"], A::No),
        (C::Confirm, &["esc"], A::Back),
        (C::Confirm, &["j", "down"], A::MoveDown),
        (C::Confirm, &["k", "up"], A::MoveUp),
        (C::Confirm, &["pgdn", "space"], A::PageDown),
        (C::Confirm, &["pgup"], A::PageUp),
        (C::Bulk, &["esc", "q"], A::Back),
        (C::Bulk, &["R"], A::RetryFailed),
        (C::Bulk, &["j", "down"], A::MoveDown),
        (C::Bulk, &["k", "up"], A::MoveUp),
        (C::Bulk, &["pgdn"], A::PageDown),
        (C::Bulk, &["pgup"], A::PageUp),
        (C::Bulk, &["g", "home"], A::Top),
        (C::Bulk, &["G", "end"], A::Bottom),
        (C::Inquiries, &["esc", "q"], A::Back),
        (C::Inquiries, &["down", "j"], A::MoveDown),
        (C::Inquiries, &["up", "k"], A::MoveUp),
        (C::Inquiries, &["pgdn"], A::PageDown),
        (C::Inquiries, &["pgup"], A::PageUp),
        (C::Inquiries, &["home", "g"], A::Top),
        (C::Inquiries, &["end", "G"], A::Bottom),
        (C::Inquiries, &["enter"], A::Open),
        (C::Inquiries, &["R"], A::RetryFailed),
        (C::Inquiries, &["d"], A::DeleteDraft),
        (C::Inquiries, &["y"], A::Yes),
        (C::Notification, &["esc", "q"], A::Back),
        (C::Notification, &["down", "j"], A::MoveDown),
        (C::Notification, &["up", "k"], A::MoveUp),
        (C::Notification, &["pgdn", "space"], A::PageDown),
        (C::Notification, &["pgup"], A::PageUp),
        (C::Notification, &["home", "g"], A::Top),
        (C::Notification, &["end", "G"], A::Bottom),
        (C::Notification, &["y"], A::Copy),
        (C::Notification, &["c"], A::CopyNth),
        (C::Notification, &["x"], A::TaskCompleted),
        (C::Notification, &["n"], A::TaskNotRelevant),
        (C::Notification, &["!"], A::RunTask),
        (C::Notification, &["b"], A::LoadBeta),
        (C::Comment, &["ctrl-s"], A::Send),
        (C::Comment, &["esc"], A::Back),
        (C::Comment, &["ctrl-d"], A::Discard),
        (C::Comment, &["y", "Y"], A::Yes),
        (C::Comment, &["n", "N"], A::No),
        (C::Manage, &["ctrl-s"], A::Save),
        (C::Manage, &["esc"], A::Back),
        (C::Manage, &["tab", "down", "j"], A::NextField),
        (C::Manage, &["backtab", "up", "k"], A::PrevField),
        (C::Manage, &["enter", "space"], A::Open),
        (C::Manage, &["delete", "backspace"], A::Reset),
        (C::ManageNote, &["tab"], A::NextField),
        (C::ManageNote, &["backtab"], A::PrevField),
        (C::ManageNote, &["esc"], A::Back),
        (C::Picker, &["esc"], A::Back),
        (C::Picker, &["enter"], A::Open),
        (C::Picker, &["up", "backtab", "ctrl-p"], A::MoveUp),
        (C::Picker, &["down", "tab", "ctrl-n"], A::MoveDown),
        (C::Picker, &["pgup"], A::PageUp),
        (C::Picker, &["pgdn"], A::PageDown),
        (C::Picker, &["home"], A::Top),
        (C::Picker, &["end"], A::Bottom),
        (C::Tags, &["esc"], A::Back),
        (C::Tags, &["enter"], A::Open),
        (C::Tags, &["up", "backtab"], A::MoveUp),
        (C::Tags, &["down", "tab"], A::MoveDown),
        (C::Ask, &["ctrl-s"], A::Send),
        (C::Ask, &["ctrl-t"], A::Templates),
        (C::Ask, &["tab"], A::NextField),
        (C::Ask, &["backtab"], A::PrevField),
        (C::Ask, &["esc"], A::Back),
        (C::Ask, &["y"], A::Yes),
        (C::Ask, &["n"], A::No),
        (C::Ask, &["left", "up", "h", "k"], A::MoveUp),
        (C::Ask, &["right", "down", "l", "j"], A::MoveDown),
        (C::Ask, &["enter", "space", "x"], A::ToggleSelect),
        (C::Templates, &["up", "k"], A::MoveUp),
        (C::Templates, &["down", "j"], A::MoveDown),
        (C::Templates, &["home", "g"], A::Top),
        (C::Templates, &["end", "G"], A::Bottom),
        (C::Templates, &["pgup"], A::PageUp),
        (C::Templates, &["pgdn"], A::PageDown),
        (C::Templates, &["enter"], A::Open),
        (C::Templates, &["esc", "ctrl-t"], A::Back),
    ]
};

/// One hint of a pane: the actions it names, how its keys read with the default bindings, and
/// what it does.
pub type PaneHint = (&'static [Action], &'static str, &'static str);

impl Keymap {
    /// The default bindings, built once.
    pub fn defaults() -> &'static Keymap {
        static DEFAULT: std::sync::OnceLock<Keymap> = std::sync::OnceLock::new();
        DEFAULT.get_or_init(Keymap::default)
    }

    /// A pane's (keys, description) hints. While the named actions keep their default keys
    /// the hint reads as written (`y/Enter`); once remapped it shows the keys bound now (all
    /// keys of a single action, else the first key of each), so the hint cannot drift from
    /// what the keys do.
    pub fn pane_hints(&self, context: Context, hints: &[PaneHint]) -> Vec<(String, &'static str)> {
        let defaults = Keymap::defaults();
        hints
            .iter()
            .map(|(actions, usual, what)| {
                let same = actions
                    .iter()
                    .all(|a| self.keys_for(context, *a) == defaults.keys_for(context, *a));
                let keys = if same {
                    usual.to_string()
                } else if let [one] = actions {
                    self.keys_for(context, *one).join("/")
                } else {
                    actions
                        .iter()
                        .filter_map(|a| self.keys_for(context, *a).into_iter().next())
                        .collect::<Vec<_>>()
                        .join("/")
                };
                (keys, *what)
            })
            .collect()
    }

    /// One drawn key line of a pane: its hints as `key what · key what`.
    pub fn pane_line(&self, context: Context, hints: &[PaneHint]) -> String {
        self.pane_hints(context, hints)
            .iter()
            .map(|(k, d)| format!("{k} {d}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// How a pane names the keys of `action` in its messages: `usual` while they are the
    /// default ones, else the keys bound now.
    pub fn pane_keys(&self, context: Context, action: Action, usual: &str) -> String {
        let now = self.keys_for(context, action);
        if now == Keymap::defaults().keys_for(context, action) {
            usual.to_string()
        } else {
            now.join("/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeMap;

    fn ev(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn panes_do_not_fall_back_to_global_keys() {
        let km = Keymap::default();
        assert_eq!(km.lookup(Context::Bulk, &ev('q')), Some(Action::Back));
        assert_eq!(
            km.lookup(Context::Confirm, &ev('q')),
            None,
            "q is not quit here"
        );
        assert_eq!(
            km.lookup(Context::Confirm, &ev('r')),
            None,
            "r is not refresh here"
        );
        assert_eq!(
            km.lookup(Context::Queue, &ev('R')),
            None,
            "pane keys stay in panes"
        );
    }

    #[test]
    fn text_fields_keep_every_typed_character() {
        let km = Keymap::default();
        for c in [Context::ManageNote, Context::Picker, Context::Tags] {
            for ch in (' '..='~').chain(['é', 'ß']) {
                assert_eq!(km.lookup(c, &ev(ch)), None, "{c:?} binds {ch:?}");
            }
        }
    }

    #[test]
    fn a_remapped_picker_key_moves_and_the_old_one_types() {
        let mut o = BTreeMap::new();
        o.insert("picker.move_down".to_string(), vec!["ctrl-j".to_string()]);
        let km = Keymap::with_overrides(&o).unwrap();
        let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(Context::Picker, &ctrl_j), Some(Action::MoveDown));
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(km.lookup(Context::Picker, &down), None);
        assert_eq!(
            km.pane_keys(Context::Picker, Action::MoveDown, "↓"),
            "ctrl-j"
        );
        assert_eq!(
            Keymap::default().pane_keys(Context::Picker, Action::MoveDown, "↓"),
            "↓"
        );
    }

    #[test]
    fn hints_read_as_usual_until_remapped() {
        const H: &[PaneHint] = &[(&[Action::Yes], "y/Enter", "yes")];
        let km = Keymap::default();
        assert_eq!(
            km.pane_hints(Context::Confirm, H),
            vec![("y/Enter".to_string(), "yes")]
        );
        let mut o = BTreeMap::new();
        o.insert("confirm.yes".to_string(), vec!["o".to_string()]);
        let km = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            km.pane_hints(Context::Confirm, H),
            vec![("o".to_string(), "yes")]
        );
        assert_eq!(km.lookup(Context::Confirm, &ev('o')), Some(Action::Yes));
        assert_eq!(km.lookup(Context::Confirm, &ev('y')), None);
    }
}
