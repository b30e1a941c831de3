//! The alert's process tree, reconstructed from `processEvidence` parent/child fields
//! (processId/parentProcessId plus creation times, since Windows reuses process ids). It is an
//! approximation of the portal's alert story and is labelled as such.
//!
//! Pure data in, rows out: parents that are not in the evidence become synthetic nodes built
//! from the child's `parentProcessImageFile`; cycles are broken and flagged.

use super::Symbols;
use crate::graph::model::{Evidence, EvidenceKind, Timestamp};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::text::{Line, Span};
use std::collections::{BTreeMap, HashSet};

/// The label shown above the tree.
pub const LABEL: &str = "Process tree (reconstructed from alert evidence; approximate)";

/// One process in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcNode {
    pub pid: Option<i64>,
    pub created: Option<Timestamp>,
    /// Image file name (untrusted).
    pub image: Option<String>,
    /// Command line (untrusted).
    pub command_line: Option<String>,
    /// Account (untrusted).
    pub user: Option<String>,
    /// Index into the evidence slice, `None` for a parent known only from a child's fields.
    pub evidence_index: Option<usize>,
    /// The parent this node names (pid, creation time).
    parent_key: Option<(i64, Option<Timestamp>)>,
}

/// One output row: a node at a depth, with the guides to draw in front of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    pub depth: usize,
    /// For each ancestor level below the root: does that ancestor have later siblings?
    pub guides: Vec<bool>,
    /// Is this node the last of its siblings?
    pub last: bool,
    pub node: ProcNode,
    /// The node's parent chain looped back to itself; the loop was cut here.
    pub cycle: bool,
}

/// Builds the tree rows (depth-first, children ordered by creation time then pid).
pub fn build(evidence: &[&Evidence]) -> Vec<TreeRow> {
    let mut nodes: Vec<ProcNode> = Vec::new();
    let mut seen: HashSet<(Option<i64>, Option<Timestamp>, Option<String>)> = HashSet::new();
    for (i, ev) in evidence.iter().enumerate() {
        if let EvidenceKind::Process {
            process_id,
            parent_process_id,
            command_line,
            image,
            parent_image: _,
            created,
            parent_created,
            user,
            ..
        } = &ev.kind
        {
            let key = (*process_id, *created, command_line.clone());
            if !seen.insert(key) {
                continue;
            }
            nodes.push(ProcNode {
                pid: *process_id,
                created: *created,
                image: image.file_name.clone(),
                command_line: command_line.clone(),
                user: user.as_ref().and_then(|u| u.best_name()),
                evidence_index: Some(i),
                parent_key: parent_process_id.map(|p| (p, *parent_created)),
            });
        }
    }
    // Synthetic parents for parents missing from the evidence (shared by siblings).
    let real = nodes.len();
    let mut parent: Vec<Option<usize>> = vec![None; real];
    let mut synthetic: BTreeMap<(i64, Option<Timestamp>), usize> = BTreeMap::new();
    let mut self_parent = vec![false; real];
    for i in 0..real {
        let Some((ppid, pcreated)) = nodes[i].parent_key else {
            continue;
        };
        if nodes[i].pid == Some(ppid) && (pcreated.is_none() || pcreated == nodes[i].created) {
            self_parent[i] = true;
            continue;
        }
        let found = (0..real)
            .filter(|&j| j != i && nodes[j].pid == Some(ppid))
            .find(|&j| {
                match (pcreated, nodes[j].created) {
                    // Sources round creation times differently (7, 3 or 0 fraction digits):
                    // treat times within a second as the same process start.
                    (Some(a), Some(b)) => (a.as_second() - b.as_second()).abs() <= 1,
                    // Unknown times: accept a process that did not start after the child.
                    _ => match (nodes[j].created, nodes[i].created) {
                        (Some(pc), Some(cc)) => pc <= cc,
                        _ => true,
                    },
                }
            });
        parent[i] = match found {
            Some(j) => Some(j),
            None => {
                let image = parent_image_name(evidence, nodes[i].evidence_index);
                let idx = *synthetic.entry((ppid, pcreated)).or_insert_with(|| {
                    nodes.push(ProcNode {
                        pid: Some(ppid),
                        created: pcreated,
                        image,
                        command_line: None,
                        user: None,
                        evidence_index: None,
                        parent_key: None,
                    });
                    nodes.len() - 1
                });
                Some(idx)
            }
        };
    }
    parent.resize(nodes.len(), None);
    // Break cycles: walk each chain; a node whose chain returns to itself loses its parent.
    let mut cycle = self_parent;
    cycle.resize(nodes.len(), false);
    for start in 0..nodes.len() {
        let mut visited = HashSet::new();
        let mut cur = start;
        visited.insert(cur);
        while let Some(p) = parent[cur] {
            if !visited.insert(p) {
                if p == start {
                    parent[start] = None;
                    cycle[start] = true;
                }
                break;
            }
            cur = p;
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    let order = |v: &mut Vec<usize>| v.sort_by_key(|&i| (nodes[i].created, nodes[i].pid, i));
    order(&mut roots);
    for c in children.iter_mut() {
        order(c);
    }
    let mut rows = Vec::with_capacity(nodes.len());
    let mut emitted = vec![false; nodes.len()];
    let n_roots = roots.len();
    for (ri, r) in roots.into_iter().enumerate() {
        emit(
            r,
            0,
            Vec::new(),
            ri + 1 == n_roots,
            &nodes,
            &children,
            &cycle,
            &mut emitted,
            &mut rows,
        );
    }
    rows
}

#[allow(clippy::too_many_arguments)]
fn emit(
    i: usize,
    depth: usize,
    guides: Vec<bool>,
    last: bool,
    nodes: &[ProcNode],
    children: &[Vec<usize>],
    cycle: &[bool],
    emitted: &mut [bool],
    rows: &mut Vec<TreeRow>,
) {
    if emitted[i] {
        return;
    }
    emitted[i] = true;
    rows.push(TreeRow {
        depth,
        guides: guides.clone(),
        last,
        node: nodes[i].clone(),
        cycle: cycle[i],
    });
    let kids = &children[i];
    for (k, &c) in kids.iter().enumerate() {
        let mut g = guides.clone();
        if depth > 0 {
            g.push(!last);
        }
        emit(
            c,
            depth + 1,
            g,
            k + 1 == kids.len(),
            nodes,
            children,
            cycle,
            emitted,
            rows,
        );
    }
}

fn parent_image_name(evidence: &[&Evidence], idx: Option<usize>) -> Option<String> {
    match &evidence.get(idx?)?.kind {
        EvidenceKind::Process { parent_image, .. } => parent_image.file_name.clone(),
        _ => None,
    }
}

/// Renders the rows as lines (sanitised), one per process.
pub fn lines(rows: &[TreeRow], theme: &Theme, sym: Symbols) -> Vec<Line<'static>> {
    let (branch, last_branch, vert, blank) = sym.tree();
    rows.iter()
        .map(|r| {
            let mut prefix = String::new();
            for g in &r.guides {
                prefix.push_str(if *g { vert } else { blank });
            }
            if r.depth > 0 {
                prefix.push_str(if r.last { last_branch } else { branch });
            }
            let mut spans = vec![Span::styled(prefix, theme.muted)];
            let pid = r
                .node
                .pid
                .map(|p| p.to_string())
                .unwrap_or_else(|| "?".into());
            spans.push(Span::styled(format!("[{pid}] "), theme.muted));
            spans.extend(sanitize_spans(
                r.node.image.as_deref().unwrap_or("?"),
                theme.title,
                theme.marker,
            ));
            if let Some(cl) = r.node.command_line.as_deref().filter(|s| !s.is_empty()) {
                spans.push(Span::raw("  "));
                spans.extend(sanitize_spans(cl, theme.text, theme.marker));
            }
            if let Some(u) = &r.node.user {
                spans.push(Span::styled("  (", theme.muted));
                spans.extend(sanitize_spans(u, theme.muted, theme.marker));
                spans.push(Span::styled(")", theme.muted));
            }
            if r.node.evidence_index.is_none() {
                spans.push(Span::styled("  (parent, not in evidence)", theme.muted));
            }
            if r.cycle {
                spans.push(Span::styled("  (cycle in parent ids)", theme.warning));
            }
            Line::from(spans)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn proc(pid: i64, ppid: i64, name: &str, parent: &str, created: &str) -> Evidence {
        Evidence::from_value(json!({
            "@odata.type": "#microsoft.graph.security.processEvidence",
            "processId": pid, "parentProcessId": ppid,
            "processCommandLine": format!("{name} --run"),
            "imageFile": {"fileName": name},
            "parentProcessImageFile": {"fileName": parent},
            "processCreationDateTime": created,
        }))
    }

    fn names(rows: &[TreeRow]) -> Vec<(usize, String)> {
        rows.iter()
            .map(|r| (r.depth, r.node.image.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn builds_parent_child_chains_and_synthetic_parents() {
        let ev = [
            proc(
                300,
                200,
                "powershell.exe",
                "cmd.exe",
                "2026-01-01T10:00:02Z",
            ),
            proc(200, 100, "cmd.exe", "explorer.exe", "2026-01-01T10:00:01Z"),
            proc(301, 200, "whoami.exe", "cmd.exe", "2026-01-01T10:00:03Z"),
        ];
        let refs: Vec<&Evidence> = ev.iter().collect();
        let rows = build(&refs);
        assert_eq!(
            names(&rows),
            vec![
                (0, "explorer.exe".to_string()),
                (1, "cmd.exe".to_string()),
                (2, "powershell.exe".to_string()),
                (2, "whoami.exe".to_string()),
            ]
        );
        assert_eq!(rows[0].node.evidence_index, None, "explorer is synthetic");
        assert_eq!(rows[1].node.evidence_index, Some(1));
        assert!(!rows[2].last && rows[3].last);
    }

    #[test]
    fn parent_times_rounded_differently_still_link() {
        // The child's parentProcessCreationDateTime has 3 fraction digits, the parent's own
        // processCreationDateTime 7: the same process start.
        let mut child = proc(51, 11, "cmd.exe", "winword.exe", "2026-01-01T12:00:05Z");
        if let EvidenceKind::Process { parent_created, .. } = &mut child.kind {
            *parent_created = Timestamp::parse("2026-01-01T12:00:00.123Z");
        }
        let ev = [
            proc(
                11,
                1,
                "winword.exe",
                "explorer.exe",
                "2026-01-01T12:00:00.1234567Z",
            ),
            child,
        ];
        let refs: Vec<&Evidence> = ev.iter().collect();
        let rows = build(&refs);
        let n = names(&rows);
        assert!(
            n.contains(&(2, "cmd.exe".to_string())),
            "cmd.exe under winword.exe: {n:?}"
        );
        assert_eq!(
            rows.iter()
                .filter(|r| r.node.evidence_index.is_none())
                .count(),
            1
        );
    }

    #[test]
    fn pid_reuse_is_told_apart_by_creation_time() {
        let mut child = proc(50, 10, "child.exe", "old.exe", "2026-01-01T12:00:00Z");
        if let EvidenceKind::Process { parent_created, .. } = &mut child.kind {
            *parent_created = Timestamp::parse("2026-01-01T11:00:00Z");
        }
        let ev = [
            proc(10, 1, "reused.exe", "x", "2026-01-01T11:30:00Z"),
            child,
        ];
        let refs: Vec<&Evidence> = ev.iter().collect();
        let rows = build(&refs);
        // child.exe must not hang under reused.exe (different creation time).
        let child_row = rows
            .iter()
            .find(|r| r.node.image.as_deref() == Some("child.exe"))
            .unwrap();
        assert_eq!(child_row.depth, 1);
        let parent_row = rows
            .iter()
            .find(|r| r.node.image.as_deref() == Some("old.exe"))
            .unwrap();
        assert_eq!(parent_row.node.evidence_index, None);
    }

    #[test]
    fn cycles_are_cut_and_every_node_appears_once() {
        let ev = [
            proc(1, 2, "a.exe", "b.exe", "2026-01-01T10:00:00Z"),
            proc(2, 1, "b.exe", "a.exe", "2026-01-01T10:00:00Z"),
            proc(3, 3, "self.exe", "self.exe", "2026-01-01T10:00:00Z"),
        ];
        let refs: Vec<&Evidence> = ev.iter().collect();
        let rows = build(&refs);
        assert_eq!(rows.len(), 3, "{:?}", names(&rows));
        assert!(rows.iter().any(|r| r.cycle));
        let mut n: Vec<String> = rows.iter().filter_map(|r| r.node.image.clone()).collect();
        n.sort();
        assert_eq!(n, vec!["a.exe", "b.exe", "self.exe"]);
    }

    #[test]
    fn non_process_evidence_and_missing_ids_are_tolerated() {
        let other = Evidence::from_value(
            json!({"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "1.2.3.4"}),
        );
        let bare = Evidence::from_value(
            json!({"@odata.type": "#microsoft.graph.security.processEvidence"}),
        );
        let refs = vec![&other, &bare];
        let rows = build(&refs);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].node.pid, None);
        let lines = lines(&rows, &Theme::default(), Symbols { ascii: true });
        assert_eq!(lines.len(), 1);
    }
}
