//! Runs a parsed [`Query`] over a [`Table`].

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Value, json};

use super::parse::{Cond, Lit, Op, Query, Stage};
use super::tables::Table;

fn unknown_column(name: &str) -> String {
    format!("Failed to resolve scalar expression named '{name}'")
}

fn col_of(t: &Table, name: &str) -> Result<usize, String> {
    t.col(name).ok_or_else(|| unknown_column(name))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_time(v: &Value) -> Option<i64> {
    v.as_str()?
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

/// KQL `has`: `needle` found as a whole term (bounded by non-alphanumerics), ignoring case.
fn has_term(hay: &str, needle: &str) -> bool {
    let hay = hay.to_lowercase();
    let needle = needle.to_lowercase();
    if needle.is_empty() {
        return true;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    hay.match_indices(&needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        let n0 = needle.chars().next();
        let n1 = needle.chars().next_back();
        (!word(before) || !word(n0)) && (!word(after) || !word(n1))
    })
}

fn lit_eq(cell: &Value, lit: &Lit) -> bool {
    match lit {
        Lit::Str(s) => cell.as_str() == Some(s.as_str()),
        Lit::Num(n) => cell.as_f64() == Some(*n),
        Lit::Ago(_) => false,
    }
}

fn lit_eq_ci(cell: &Value, lit: &Lit) -> bool {
    match (cell.as_str(), lit) {
        (Some(c), Lit::Str(s)) => c.to_lowercase() == s.to_lowercase(),
        _ => lit_eq(cell, lit),
    }
}

fn order(cell: &Value, lit: &Lit, now: i64) -> Option<Ordering> {
    match lit {
        Lit::Ago(secs) => as_time(cell).map(|t| t.cmp(&(now - secs))),
        Lit::Num(n) => cell.as_f64().and_then(|c| c.partial_cmp(n)),
        Lit::Str(s) => match (as_time(cell), s.parse::<jiff::Timestamp>()) {
            (Some(t), Ok(l)) => Some(t.cmp(&l.as_second())),
            _ => cell.as_str().map(|c| c.cmp(s.as_str())),
        },
    }
}

fn matches(cell: &Value, op: Op, lit: &Lit, now: i64) -> bool {
    match op {
        Op::Eq => lit_eq(cell, lit),
        Op::Ne => !lit_eq(cell, lit),
        Op::EqCi => lit_eq_ci(cell, lit),
        Op::NeCi => !lit_eq_ci(cell, lit),
        Op::Has | Op::Contains | Op::StartsWith | Op::EndsWith => {
            let (Some(hay), Lit::Str(needle)) = (as_text(cell), lit) else {
                return false;
            };
            let (hay_l, needle_l) = (hay.to_lowercase(), needle.to_lowercase());
            match op {
                Op::Has => has_term(&hay, needle),
                Op::StartsWith => hay_l.starts_with(&needle_l),
                Op::EndsWith => hay_l.ends_with(&needle_l),
                _ => hay_l.contains(&needle_l),
            }
        }
        Op::Gt => order(cell, lit, now) == Some(Ordering::Greater),
        Op::Lt => order(cell, lit, now) == Some(Ordering::Less),
        Op::Ge => matches!(
            order(cell, lit, now),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Op::Le => matches!(
            order(cell, lit, now),
            Some(Ordering::Less | Ordering::Equal)
        ),
    }
}

fn cmp_cells(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => as_text(a).cmp(&as_text(b)),
    }
}

fn apply(t: Table, stage: &Stage, now: i64) -> Result<Table, String> {
    Ok(match stage {
        Stage::Where(conds) => {
            let mut idx = Vec::new();
            for c in conds {
                let name = match c {
                    Cond::Cmp { col, .. } | Cond::In { col, .. } => col,
                };
                idx.push(col_of(&t, name)?);
            }
            let keep = |row: &Vec<Value>| {
                conds.iter().zip(&idx).all(|(c, &i)| match c {
                    Cond::Cmp { op, lit, .. } => matches(&row[i], *op, lit, now),
                    Cond::In { set, ci, .. } => set.iter().any(|l| {
                        if *ci {
                            lit_eq_ci(&row[i], l)
                        } else {
                            lit_eq(&row[i], l)
                        }
                    }),
                })
            };
            let rows = t.rows.into_iter().filter(keep).collect();
            Table {
                columns: t.columns,
                rows,
            }
        }
        Stage::Project(cols) => {
            let idx = cols
                .iter()
                .map(|c| col_of(&t, c))
                .collect::<Result<Vec<_>, _>>()?;
            Table {
                columns: idx.iter().map(|&i| t.columns[i].clone()).collect(),
                rows: t
                    .rows
                    .into_iter()
                    .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
                    .collect(),
            }
        }
        Stage::Take(n) => {
            let mut t = t;
            t.rows.truncate(*n);
            t
        }
        Stage::SummarizeCount(by) => {
            let idx = by
                .iter()
                .map(|c| col_of(&t, c))
                .collect::<Result<Vec<_>, _>>()?;
            let mut groups: Vec<(Vec<Value>, u64)> = Vec::new();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for r in &t.rows {
                let key: Vec<Value> = idx.iter().map(|&i| r[i].clone()).collect();
                let k = Value::Array(key.clone()).to_string();
                match seen.get(&k) {
                    Some(&g) => groups[g].1 += 1,
                    None => {
                        seen.insert(k, groups.len());
                        groups.push((key, 1));
                    }
                }
            }
            let mut columns: Vec<_> = idx.iter().map(|&i| t.columns[i].clone()).collect();
            columns.push(("count_".to_string(), "Int64"));
            Table {
                columns,
                rows: groups
                    .into_iter()
                    .map(|(mut k, n)| {
                        k.push(json!(n));
                        k
                    })
                    .collect(),
            }
        }
        Stage::OrderBy { col, desc } => {
            let i = col_of(&t, col)?;
            let mut t = t;
            t.rows.sort_by(|a, b| {
                let o = cmp_cells(&a[i], &b[i]);
                // Nulls stay last either way.
                if *desc && !a[i].is_null() && !b[i].is_null() {
                    o.reverse()
                } else {
                    o
                }
            });
            t
        }
    })
}

/// Runs `q`'s stages over `table` (already chosen by `q.table`); `now` in Unix seconds.
pub fn run(q: &Query, table: Table, now: i64) -> Result<Table, String> {
    q.stages.iter().try_fold(table, |t, s| apply(t, s, now))
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn sample() -> Table {
        Table {
            columns: vec![
                ("Timestamp".into(), "DateTime"),
                ("DeviceName".into(), "String"),
                ("ProcessCommandLine".into(), "String"),
                ("ProcessId".into(), "Int64"),
            ],
            rows: vec![
                vec![
                    json!("2026-12-05T10:00:00Z"),
                    json!("pc1"),
                    json!("powershell -enc AAA"),
                    json!(3),
                ],
                vec![
                    json!("2026-11-01T10:00:00Z"),
                    json!("pc2"),
                    json!("cmd.exe /c whoami"),
                    json!(1),
                ],
                vec![
                    json!("2026-12-04T10:00:00Z"),
                    json!("pc1"),
                    json!("notepad.exe"),
                    json!(2),
                ],
                vec![
                    json!("2026-12-06T08:00:00Z"),
                    json!("pc3"),
                    Value::Null,
                    json!(4),
                ],
            ],
        }
    }

    fn now() -> i64 {
        "2026-12-06T10:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second()
    }

    fn q(text: &str) -> Table {
        run(&parse(text).unwrap(), sample(), now()).unwrap()
    }

    #[test]
    fn where_operators_filter_rows() {
        assert_eq!(q("T | where DeviceName == \"pc1\"").rows.len(), 2);
        assert_eq!(q("T | where DeviceName != \"pc1\"").rows.len(), 2);
        assert_eq!(q("T | where ProcessCommandLine has \"ENC\"").rows.len(), 1);
        // `has` is a whole term: "who" is not a term of "whoami".
        assert_eq!(q("T | where ProcessCommandLine has \"who\"").rows.len(), 0);
        assert_eq!(
            q("T | where ProcessCommandLine contains \"WHO\"")
                .rows
                .len(),
            1
        );
        assert_eq!(
            q("T | where DeviceName in (\"pc2\", \"pc3\")").rows.len(),
            2
        );
        assert_eq!(q("T | where Timestamp > ago(7d)").rows.len(), 3);
        assert_eq!(
            q("T | where Timestamp > ago(1d) and DeviceName == \"pc3\"")
                .rows
                .len(),
            1
        );
        assert_eq!(q("T | where ProcessId >= 3").rows.len(), 2);
        assert_eq!(q("T | where DeviceName =~ \"PC1\"").rows.len(), 2);
        assert_eq!(q("T | where DeviceName == \"PC1\"").rows.len(), 0);
        assert_eq!(q("T | where DeviceName !~ \"PC1\"").rows.len(), 2);
        assert_eq!(
            q("T | where DeviceName in~ (\"PC2\", \"pc3\")").rows.len(),
            2
        );
        assert_eq!(
            q("T | where ProcessCommandLine startswith \"CMD\"")
                .rows
                .len(),
            1
        );
        assert_eq!(
            q("T | where ProcessCommandLine endswith \".exe\"")
                .rows
                .len(),
            1
        );
    }

    #[test]
    fn project_take_summarize_order() {
        let t = q("T | project DeviceName, ProcessId | take 2");
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.columns[1], ("ProcessId".to_string(), "Int64"));
        assert_eq!(t.rows.len(), 2);
        let t = q("T | summarize count() by DeviceName | order by count_ desc");
        assert_eq!(t.columns[1].0, "count_");
        assert_eq!(t.rows[0], vec![json!("pc1"), json!(2)]);
        assert_eq!(t.rows.len(), 3);
        let t = q("T | order by ProcessId asc | project ProcessId");
        assert_eq!(
            t.rows,
            vec![
                vec![json!(1)],
                vec![json!(2)],
                vec![json!(3)],
                vec![json!(4)]
            ]
        );
        let t = q("T | order by ProcessCommandLine desc | project ProcessId");
        assert_eq!(t.rows.last(), Some(&vec![json!(4)]), "nulls last");
    }

    #[test]
    fn unknown_columns_are_named() {
        let e = run(&parse("T | project Nope").unwrap(), sample(), now()).unwrap_err();
        assert!(e.contains("'Nope'"), "{e}");
        let e = run(&parse("T | where Nope == 1").unwrap(), sample(), now()).unwrap_err();
        assert!(e.contains("'Nope'"), "{e}");
    }
}
