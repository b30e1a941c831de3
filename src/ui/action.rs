//! Everything a key can ask the console to do. Keys map to actions through the
//! [`Keymap`](super::keymap::Keymap); the help screen lists actions by their description.

macro_rules! actions {
    ($( $(#[$m:meta])* $v:ident = $name:literal, $desc:literal; )*) => {
        /// One user intent, independent of the key that triggers it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $( $(#[$m])* $v, )*
        }

        impl Action {
            /// Every action, in help order.
            pub const ALL: &'static [Action] = &[ $( Action::$v, )* ];

            /// The config name (`move_down`), used for key overrides.
            pub fn name(self) -> &'static str {
                match self { $( Action::$v => $name, )* }
            }

            /// One-line description for the help screen.
            pub fn description(self) -> &'static str {
                match self { $( Action::$v => $desc, )* }
            }

            /// Looks an action up by its config name (case-insensitive, `-` and `_` equal).
            pub fn from_name(name: &str) -> Option<Action> {
                let n = name.trim().replace('-', "_").to_ascii_lowercase();
                match n.as_str() {
                    $( $name => Some(Action::$v), )*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    MoveUp = "move_up", "Move up";
    MoveDown = "move_down", "Move down";
    PageUp = "page_up", "Page up";
    PageDown = "page_down", "Page down";
    HalfPageUp = "half_page_up", "Half a page up";
    HalfPageDown = "half_page_down", "Half a page down";
    Top = "top", "Go to the first row";
    Bottom = "bottom", "Go to the last row";
    Open = "open", "Open / drill down";
    Back = "back", "Back / close / clear filter";
    Filter = "filter", "Filter (incremental)";
    Command = "command", "Command line (:view NAME, :sort COL, :retry, :q)";
    Help = "help", "Help for this screen";
    Quit = "quit", "Quit";
    Refresh = "refresh", "Refresh now";
    Copy = "copy", "Copy the id";
    CopyUrl = "copy_url", "Copy the portal URL";
    NextSection = "next_section", "Next section";
    PrevSection = "prev_section", "Previous section";
    SortNext = "sort_next", "Sort by the next column";
    SortPrev = "sort_prev", "Sort by the previous column";
    SortReverse = "sort_reverse", "Reverse the sort order";
    ToggleSelect = "toggle_select", "Select / unselect the row, then move down";
    AssignToMe = "assign_to_me", "Assign to me";
    Status = "status", "Set status";
    Classify = "classify", "Classify (classification / determination)";
    Tags = "tags", "Edit tags";
    Comment = "comment", "Add a comment";
    Manage = "manage", "Manage (all fields)";
    AskExperts = "ask_experts", "Ask Defender Experts";
    Inquiries = "inquiries", "Ask Defender Experts: drafts and sent inquiries";
    ExpertsNotification = "experts_notification", "Defender Experts notification (summary, queries, tasks)";
    ExpertsView = "experts_view", "Defender Experts list (again or Esc: back to the previous view)";
    Notices = "notices", "Notice history (everything announced this session)";
    Hunt = "hunt", "Advanced hunting (KQL editor, results, export)";
    Redraw = "redraw", "Redraw the screen";
    Suspend = "suspend", "Suspend to the shell (fg comes back)";
    Yes = "yes", "Yes (in a confirmation)";
    No = "no", "No (in a confirmation)";
    RetryFailed = "retry_failed", "Retry the failed writes or deliveries (in a result list)";
    DeleteDraft = "delete_draft", "Delete the selected draft (in the inquiries list)";
    CopyNth = "copy_nth", "Copy a hunting query by its number (in the notification view)";
    TaskCompleted = "task_completed", "Mark the selected task completed (in the notification view)";
    TaskNotRelevant = "task_not_relevant", "Mark the selected task not relevant (in the notification view)";
    RunTask = "run_task", "Run the selected task's action in the portal (in the notification view)";
    Send = "send", "Send what the editor holds (in the comment editor)";
    Discard = "discard", "Discard the text (in the comment editor)";
    LoadBeta = "load_beta", "Load the beta Defender Experts fields (in the notification view)";
    Save = "save", "Save the changes (in a manage pane)";
    NextField = "next_field", "Next field (in a manage pane or Ask Defender Experts)";
    PrevField = "prev_field", "Previous field (in a manage pane or Ask Defender Experts)";
    Reset = "reset", "Drop the focused field's change (in a manage pane)";
    Templates = "templates", "Open / close the question templates (in Ask Defender Experts)";
}

impl Action {
    /// Actions that change data in the tenant (refused in read-only mode).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Action::AssignToMe
                | Action::Status
                | Action::Classify
                | Action::Tags
                | Action::Comment
                | Action::Manage
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(seen.insert(a.name()), "duplicate name {}", a.name());
        }
        assert_eq!(Action::from_name("Move-Down"), Some(Action::MoveDown));
        assert_eq!(Action::from_name("fly"), None);
    }
}
