//! Key bindings as data: a default table of (context, key, action), user overrides from the
//! config, lookup for key events and help/hint listings generated from the same table.
//!
//! Every action has a plain key (a character, a named key or Ctrl+letter): nothing relies on
//! the kitty keyboard protocol, which rarely survives SSH and tmux.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

mod panes;
pub use panes::PaneHint;

/// Where a binding applies. `Global` bindings apply on every screen unless the screen's own
/// context binds the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Queue,
    Incident,
    Alert,
    Evidence,
    /// A yes/no confirmation (`ui/triage/confirm.rs`).
    Confirm,
    /// The bulk results list (`ui/triage/bulk.rs`).
    Bulk,
    /// The Ask Defender Experts drafts and sent inquiries (`ui/experts_ui/inquiries.rs`).
    Inquiries,
    /// The Defender Experts notification view (`ui/experts_ui/notification/`).
    Notification,
    /// The comment editor's command keys (`ui/triage/comment.rs`); other keys are text.
    Comment,
    /// The form of the manage panes (`ui/triage/manage.rs`, `ui/triage/alert_manage.rs`);
    /// its `save` key saves in every step of the pane but the confirmation.
    Manage,
    /// The comment field of the manage panes; other keys are text.
    ManageNote,
    /// A type-ahead list picker (`ui/triage/picker.rs`); other keys are its filter.
    Picker,
    /// The custom-tag editor (`ui/triage/tags.rs`); other keys are its input.
    Tags,
    /// The Ask Defender Experts compose pane (`ui/experts_ui/ask/`); other keys are text.
    Ask,
    /// The template chooser of the compose pane.
    Templates,
}

impl Context {
    /// Every context.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Queue,
        Context::Incident,
        Context::Alert,
        Context::Evidence,
        Context::Confirm,
        Context::Bulk,
        Context::Inquiries,
        Context::Notification,
        Context::Comment,
        Context::Manage,
        Context::ManageNote,
        Context::Picker,
        Context::Tags,
        Context::Ask,
        Context::Templates,
    ];

    /// True for a pane's context: its own bindings only, never the global ones.
    pub fn is_pane(self) -> bool {
        matches!(
            self,
            Context::Confirm
                | Context::Bulk
                | Context::Inquiries
                | Context::Notification
                | Context::Comment
                | Context::Manage
                | Context::ManageNote
                | Context::Picker
                | Context::Tags
                | Context::Ask
                | Context::Templates
        )
    }

    /// Config name (`queue`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Queue => "queue",
            Context::Incident => "incident",
            Context::Alert => "alert",
            Context::Evidence => "evidence",
            Context::Confirm => "confirm",
            Context::Bulk => "bulk",
            Context::Inquiries => "inquiries",
            Context::Notification => "notification",
            Context::Comment => "comment",
            Context::Manage => "manage",
            Context::ManageNote => "manage_note",
            Context::Picker => "picker",
            Context::Tags => "tags",
            Context::Ask => "ask",
            Context::Templates => "templates",
        }
    }

    fn from_name(s: &str) -> Option<Context> {
        Context::ALL
            .iter()
            .copied()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// A key as written in the config: `j`, `G`, `down`, `ctrl-d`, `enter`, `esc`, `?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    /// Only CONTROL and ALT are significant (Shift is part of the character).
    pub mods: KeyModifiers,
}

/// A key string or action name the keymap does not understand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapError(pub String);

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeymapError {}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
];

impl KeySpec {
    /// Parses a key string. Modifiers are prefixes `ctrl-`, `alt-` and `shift-` (Shift only
    /// matters for `shift-tab`; an upper-case letter already means Shift).
    pub fn parse(s: &str) -> Result<KeySpec, KeymapError> {
        let err = || KeymapError(format!("invalid key {s:?}"));
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(err());
        }
        let mut mods = KeyModifiers::NONE;
        let mut shift = false;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, n) = if lower.starts_with("ctrl-") || lower.starts_with("ctrl+") {
                (Some(KeyModifiers::CONTROL), 5)
            } else if lower.starts_with("c-") && rest.len() > 2 {
                (Some(KeyModifiers::CONTROL), 2)
            } else if lower.starts_with("alt-") || lower.starts_with("alt+") {
                (Some(KeyModifiers::ALT), 4)
            } else if lower.starts_with("shift-") || lower.starts_with("shift+") {
                shift = true;
                (None, 6)
            } else {
                break;
            };
            if let Some(m) = m {
                mods |= m;
            }
            rest = &rest[n..];
            if rest.is_empty() {
                return Err(err());
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == lower) {
            *c
        } else if let Some(n) = lower.strip_prefix('f').and_then(|d| d.parse::<u8>().ok()) {
            if !(1..=12).contains(&n) {
                return Err(err());
            }
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => {
                    if mods.contains(KeyModifiers::CONTROL) {
                        KeyCode::Char(c.to_ascii_lowercase())
                    } else if shift {
                        KeyCode::Char(c.to_ascii_uppercase())
                    } else {
                        KeyCode::Char(c)
                    }
                }
                _ => return Err(err()),
            }
        };
        let code = if shift && code == KeyCode::Tab {
            KeyCode::BackTab
        } else {
            code
        };
        Ok(KeySpec { code, mods })
    }

    /// The spec a key event matches.
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        let mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        KeySpec { code, mods }
    }

    /// The canonical string (`ctrl-d`, `G`, `pgdn`).
    pub fn display(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("alt-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::F(n) => s.push_str(&format!("f{n}")),
            KeyCode::PageUp => s.push_str("pgup"),
            KeyCode::PageDown => s.push_str("pgdn"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, c)| *c == other)
                    .map(|(n, _)| *n)
                    .unwrap_or("?");
                s.push_str(name);
            }
        }
        s
    }

    /// True for a key that survives any terminal and multiplexer: no Alt, no F-keys.
    pub fn is_plain(&self) -> bool {
        !self.mods.contains(KeyModifiers::ALT) && !matches!(self.code, KeyCode::F(_))
    }
}

/// One binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: KeySpec,
    pub action: Action,
}

/// The default bindings: (context, keys, action).
const DEFAULTS: &[(Context, &[&str], Action)] = {
    use Action as A;
    use Context as C;
    &[
        (C::Global, &["k", "up"], A::MoveUp),
        (C::Global, &["j", "down"], A::MoveDown),
        (C::Global, &["pgup", "ctrl-b"], A::PageUp),
        (C::Global, &["pgdn", "ctrl-f"], A::PageDown),
        (C::Global, &["ctrl-u"], A::HalfPageUp),
        (C::Global, &["ctrl-d"], A::HalfPageDown),
        (C::Global, &["g", "home"], A::Top),
        (C::Global, &["G", "end"], A::Bottom),
        (C::Global, &["enter", "l", "right"], A::Open),
        (C::Global, &["esc", "h", "left"], A::Back),
        (C::Global, &[":"], A::Command),
        (C::Global, &["?", "f1"], A::Help),
        (C::Global, &["q", "ctrl-c"], A::Quit),
        (C::Global, &["r"], A::Refresh),
        (C::Global, &["y"], A::Copy),
        (C::Global, &["Y"], A::CopyUrl),
        (C::Global, &["ctrl-l"], A::Redraw),
        (C::Global, &["ctrl-z"], A::Suspend),
        (C::Global, &["E"], A::ExpertsView),
        (C::Global, &["I"], A::Inquiries),
        (C::Global, &["N"], A::Notices),
        (C::Global, &["H"], A::Hunt),
        (C::Queue, &["/"], A::Filter),
        (C::Queue, &["o", ">"], A::SortNext),
        (C::Queue, &["<"], A::SortPrev),
        (C::Queue, &["O"], A::SortReverse),
        (C::Queue, &["space"], A::ToggleSelect),
        (C::Queue, &["a"], A::AssignToMe),
        (C::Queue, &["s"], A::Status),
        (C::Queue, &["c"], A::Classify),
        (C::Queue, &["t"], A::Tags),
        (C::Queue, &["m"], A::Comment),
        (C::Queue, &["M"], A::Manage),
        (C::Queue, &["e"], A::AskExperts),
        (C::Queue, &["n"], A::ExpertsNotification),
        (C::Incident, &["tab", "]"], A::NextSection),
        (C::Incident, &["backtab", "["], A::PrevSection),
        (C::Incident, &["a"], A::AssignToMe),
        (C::Incident, &["s"], A::Status),
        (C::Incident, &["c"], A::Classify),
        (C::Incident, &["t"], A::Tags),
        (C::Incident, &["m"], A::Comment),
        (C::Incident, &["M"], A::Manage),
        (C::Incident, &["e"], A::AskExperts),
        (C::Incident, &["n"], A::ExpertsNotification),
        (C::Alert, &["tab", "]"], A::NextSection),
        (C::Alert, &["backtab", "["], A::PrevSection),
        (C::Alert, &["s"], A::Status),
        (C::Alert, &["c"], A::Classify),
        (C::Alert, &["m"], A::Comment),
        (C::Alert, &["M"], A::Manage),
        (C::Alert, &["e"], A::AskExperts),
        (C::Evidence, &["e"], A::AskExperts),
    ]
};

/// Key hints shown in the status bar per context (the most useful few).
const HINTS: &[(Context, &[Action])] = {
    use Action as A;
    &[
        (
            Context::Queue,
            &[
                A::Open,
                A::Filter,
                A::ToggleSelect,
                A::Manage,
                A::SortNext,
                A::Refresh,
                A::Help,
                A::Quit,
            ],
        ),
        (
            Context::Incident,
            &[
                A::NextSection,
                A::Open,
                A::Back,
                A::AssignToMe,
                A::Manage,
                A::ExpertsNotification,
                A::Help,
            ],
        ),
        (
            Context::Alert,
            &[
                A::NextSection,
                A::Open,
                A::Back,
                A::Manage,
                A::AskExperts,
                A::Help,
            ],
        ),
        (
            Context::Evidence,
            &[A::MoveDown, A::Back, A::Copy, A::AskExperts, A::Help],
        ),
        (Context::Global, &[A::Help, A::Quit]),
    ]
};

/// The key bindings in effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings = Vec::new();
        for (context, keys, action) in DEFAULTS.iter().chain(panes::PANE_DEFAULTS) {
            for k in *keys {
                if let Ok(key) = KeySpec::parse(k) {
                    bindings.push(Binding {
                        context: *context,
                        key,
                        action: *action,
                    });
                }
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with user overrides applied. Each entry maps an action name, optionally
    /// qualified by a context (`queue.sort_next`), to its new keys; the new keys replace the
    /// action's default keys in that context (or in every context that binds it), and take the
    /// key away from any other action of the same context. An empty list unbinds the action.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let (ctx, action_name) = match name.split_once('.') {
                Some((c, a)) => (
                    Some(Context::from_name(c).ok_or_else(|| {
                        KeymapError(format!("unknown context {c:?} in {name:?}"))
                    })?),
                    a,
                ),
                None => (None, name.as_str()),
            };
            let action = Action::from_name(action_name)
                .ok_or_else(|| KeymapError(format!("unknown action {action_name:?}")))?;
            let specs: Vec<KeySpec> = keys
                .iter()
                .map(|k| KeySpec::parse(k))
                .collect::<Result<_, _>>()?;
            let contexts: Vec<Context> = match ctx {
                Some(c) => vec![c],
                None => {
                    let mut cs: Vec<Context> = map
                        .bindings
                        .iter()
                        .filter(|b| b.action == action)
                        .map(|b| b.context)
                        .collect();
                    cs.sort();
                    cs.dedup();
                    if cs.is_empty() {
                        cs.push(Context::Global);
                    }
                    cs
                }
            };
            // A global action's new key is taken from every screen too, so a screen binding
            // (queue `n`) cannot shadow it.
            if ctx.is_none() && contexts.contains(&Context::Global) {
                map.bindings
                    .retain(|b| b.action == action || !specs.contains(&b.key));
            }
            for c in contexts {
                map.bindings.retain(|b| {
                    !(b.context == c && (b.action == action || specs.contains(&b.key)))
                });
                for key in &specs {
                    map.bindings.push(Binding {
                        context: c,
                        key: *key,
                        action,
                    });
                }
            }
        }
        Ok(map)
    }

    /// The action for a key on a screen: the screen's own bindings first, then global ones
    /// (a pane's own bindings only).
    pub fn lookup(&self, context: Context, ev: &KeyEvent) -> Option<Action> {
        let key = KeySpec::from_event(ev);
        let find = |c: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == c && b.key == key)
                .map(|b| b.action)
        };
        find(context).or_else(|| {
            if context == Context::Global || context.is_pane() {
                None
            } else {
                find(Context::Global)
            }
        })
    }

    /// Keys that trigger `action` on a screen (screen bindings first), as display strings;
    /// global keys shadowed by a screen binding are left out.
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for b in &self.bindings {
            if b.action != action {
                continue;
            }
            let applies = b.context == context
                || (b.context == Context::Global
                    && context != Context::Global
                    && !context.is_pane()
                    && !self
                        .bindings
                        .iter()
                        .any(|o| o.context == context && o.key == b.key));
            if applies {
                let s = b.key.display();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// Every action reachable on a screen with its keys, in [`Action::ALL`] order.
    pub fn help(&self, context: Context) -> Vec<(Action, Vec<String>)> {
        Action::ALL
            .iter()
            .filter_map(|a| {
                let keys = self.keys_for(context, *a);
                (!keys.is_empty()).then_some((*a, keys))
            })
            .collect()
    }

    /// The few most useful (key, description) hints for a screen's status bar.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        let actions = HINTS
            .iter()
            .find(|(c, _)| *c == context)
            .map(|(_, a)| *a)
            .unwrap_or(&[]);
        actions
            .iter()
            .filter_map(|a| {
                let k = self.keys_for(context, *a).into_iter().next()?;
                let label = match a {
                    Action::Open => "open",
                    Action::Filter => "filter",
                    Action::SortNext => "sort",
                    Action::Refresh => "refresh",
                    Action::Copy => "copy id",
                    Action::CopyUrl => "copy URL",
                    Action::Help => "help",
                    Action::Quit => "quit",
                    Action::Back => "back",
                    Action::NextSection => "section",
                    Action::AssignToMe => "assign me",
                    Action::MoveDown => "scroll",
                    Action::ToggleSelect => "select",
                    Action::Manage => "manage",
                    Action::AskExperts => "ask experts",
                    Action::ExpertsNotification => "notification",
                    other => other.name(),
                };
                Some((k, label))
            })
            .collect()
    }

    /// All bindings (for diagnostics and tests).
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }
}

#[cfg(test)]
mod tests;
