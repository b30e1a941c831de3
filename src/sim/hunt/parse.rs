//! The simulator's KQL subset: a tokenizer and a parser into [`Query`].
//!
//! Supported: `Table | where …` (`==`, `!=`, `=~`, `!~`, `has`, `contains`, `startswith`,
//! `endswith`, `in (…)`, `in~ (…)`, `>`/`<`/`>=`/`<=`
//! against numbers, datetimes or `ago(7d)`, joined with `and`), `project a, b`,
//! `take N` / `limit N`, `summarize count() by a, b`, `order by a [asc|desc]` (`sort by` too).
//! Anything else is an error that names what is not supported.

/// A literal on the right of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    /// `ago(span)`: this many seconds before now.
    Ago(i64),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    /// `=~`: equal, ignoring case.
    EqCi,
    /// `!~`: not equal, ignoring case.
    NeCi,
    StartsWith,
    EndsWith,
    Has,
    Contains,
    Gt,
    Ge,
    Lt,
    Le,
}

/// One condition of a `where`.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Cmp {
        col: String,
        op: Op,
        lit: Lit,
    },
    /// `in (…)`, or `in~ (…)` ignoring case.
    In {
        col: String,
        set: Vec<Lit>,
        ci: bool,
    },
}

/// One piped operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Where(Vec<Cond>),
    Project(Vec<String>),
    Take(usize),
    SummarizeCount(Vec<String>),
    OrderBy { col: String, desc: bool },
}

/// A parsed query: a table and its stages.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub table: String,
    pub stages: Vec<Stage>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::Num(n) => format!("{n}"),
        Tok::Sym(s) => format!("'{s}'"),
    }
}

const SYMS: &[&str] = &[
    "==", "!=", ">=", "<=", "=~", "!~", "|", "(", ")", ",", ">", "<", "=",
];

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string literal".into()),
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                        }
                        i += 2;
                    }
                    Some(q) if *q == c => {
                        i += 1;
                        break;
                    }
                    Some(o) => {
                        s.push(*o);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse::<f64>()
                .map_err(|_| format!("invalid number '{text}'"))?;
            // A timespan literal such as 7d stays one token.
            if i < chars.len() && chars[i].is_ascii_alphabetic() {
                let u0 = i;
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let unit: String = chars[u0..i].iter().collect();
                out.push(Tok::Ident(format!("{text}{unit}")));
            } else {
                out.push(Tok::Num(n));
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '-')
            {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            if word == "in" && chars.get(i) == Some(&'~') {
                word.push('~');
                i += 1;
            }
            out.push(Tok::Ident(word));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let Some(sym) = SYMS.iter().find(|s| rest.starts_with(**s)) else {
                return Err(format!("unexpected character '{c}'"));
            };
            i += sym.chars().count();
            out.push(Tok::Sym(sym));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn ident(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            Some(t) => Err(format!("expected {what}, found {}", describe(&t))),
            None => Err(format!("expected {what} at the end of the query")),
        }
    }
    fn sym(&mut self, s: &'static str) -> Result<(), String> {
        match self.next() {
            Some(Tok::Sym(x)) if x == s => Ok(()),
            Some(t) => Err(format!("expected '{s}', found {}", describe(&t))),
            None => Err(format!("expected '{s}' at the end of the query")),
        }
    }
    fn keyword(&mut self, k: &str) -> Result<(), String> {
        let w = self.ident(&format!("'{k}'"))?;
        if w.eq_ignore_ascii_case(k) {
            Ok(())
        } else {
            Err(format!("expected '{k}', found '{w}'"))
        }
    }
    fn at_stage_end(&self) -> bool {
        matches!(self.peek(), None | Some(Tok::Sym("|")))
    }
    fn columns(&mut self) -> Result<Vec<String>, String> {
        let mut cols = vec![self.ident("a column name")?];
        while self.peek() == Some(&Tok::Sym(",")) {
            self.pos += 1;
            cols.push(self.ident("a column name")?);
        }
        Ok(cols)
    }
    fn literal(&mut self) -> Result<Lit, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Num(n)) => Ok(Lit::Num(n)),
            Some(Tok::Ident(f)) if f.eq_ignore_ascii_case("ago") => {
                self.sym("(")?;
                let span = match self.next() {
                    Some(Tok::Ident(s)) => s,
                    Some(t) => {
                        return Err(format!(
                            "expected a timespan in ago(), found {}",
                            describe(&t)
                        ));
                    }
                    None => return Err("expected a timespan in ago()".into()),
                };
                self.sym(")")?;
                Ok(Lit::Ago(timespan(&span)?))
            }
            Some(Tok::Ident(f)) if self.peek() == Some(&Tok::Sym("(")) => {
                Err(format!("function '{f}' is not supported (only ago())"))
            }
            Some(t) => Err(format!("expected a literal, found {}", describe(&t))),
            None => Err("expected a literal at the end of the query".into()),
        }
    }
    fn condition(&mut self) -> Result<Cond, String> {
        let col = self.ident("a column name")?;
        let op = match self.next() {
            Some(Tok::Sym("==")) => Op::Eq,
            Some(Tok::Sym("!=")) => Op::Ne,
            Some(Tok::Sym("=~")) => Op::EqCi,
            Some(Tok::Sym("!~")) => Op::NeCi,
            Some(Tok::Ident(w)) if w == "startswith" => Op::StartsWith,
            Some(Tok::Ident(w)) if w == "endswith" => Op::EndsWith,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            Some(Tok::Ident(w)) if w == "has" => Op::Has,
            Some(Tok::Ident(w)) if w == "contains" => Op::Contains,
            Some(Tok::Ident(w)) if w == "in" || w == "in~" => {
                let ci = w == "in~";
                self.sym("(")?;
                let mut set = vec![self.literal()?];
                while self.peek() == Some(&Tok::Sym(",")) {
                    self.pos += 1;
                    set.push(self.literal()?);
                }
                self.sym(")")?;
                return Ok(Cond::In { col, set, ci });
            }
            Some(t) => return Err(format!("operator {} is not supported", describe(&t))),
            None => return Err(format!("expected an operator after '{col}'")),
        };
        let lit = self.literal()?;
        Ok(Cond::Cmp { col, op, lit })
    }
    fn stage(&mut self) -> Result<Stage, String> {
        let name = self.ident("an operator")?;
        let stage = match name.as_str() {
            "where" => {
                let mut conds = vec![self.condition()?];
                while let Some(Tok::Ident(w)) = self.peek() {
                    if w != "and" {
                        return Err(format!("'{w}' is not supported in where (only 'and')"));
                    }
                    self.pos += 1;
                    conds.push(self.condition()?);
                }
                Stage::Where(conds)
            }
            "project" => Stage::Project(self.columns()?),
            "take" | "limit" => match self.next() {
                Some(Tok::Num(n)) if n >= 0.0 && n.fract() == 0.0 => Stage::Take(n as usize),
                _ => return Err(format!("'{name}' needs a whole number")),
            },
            "summarize" => {
                let f = self.ident("count()")?;
                if f != "count" {
                    return Err(format!("summarize '{f}' is not supported (only count())"));
                }
                self.sym("(")?;
                self.sym(")")?;
                self.keyword("by")?;
                Stage::SummarizeCount(self.columns()?)
            }
            "order" | "sort" => {
                self.keyword("by")?;
                let col = self.ident("a column name")?;
                let desc = match self.peek() {
                    Some(Tok::Ident(w)) if w == "asc" => {
                        self.pos += 1;
                        false
                    }
                    Some(Tok::Ident(w)) if w == "desc" => {
                        self.pos += 1;
                        true
                    }
                    _ => true,
                };
                Stage::OrderBy { col, desc }
            }
            other => return Err(format!("operator '{other}' is not supported")),
        };
        if !self.at_stage_end() {
            let t = self.peek().map(describe).unwrap_or_default();
            return Err(format!("unexpected {t} after '{name}'"));
        }
        Ok(stage)
    }
}

/// Seconds in a KQL timespan such as `7d`, `12h`, `30m`, `45s`.
fn timespan(s: &str) -> Result<i64, String> {
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("invalid timespan '{s}'"))?;
    let mult = match unit {
        "d" => 86_400.0,
        "h" => 3_600.0,
        "m" => 60.0,
        "s" => 1.0,
        _ => return Err(format!("invalid timespan '{s}'")),
    };
    Ok((n * mult) as i64)
}

/// Parses one query of the subset.
pub fn parse(src: &str) -> Result<Query, String> {
    let toks = tokenize(src)?;
    if toks.is_empty() {
        return Err("the query is empty".into());
    }
    let mut p = Parser { toks, pos: 0 };
    let table = p.ident("a table name")?;
    if !p.at_stage_end() {
        let t = p.peek().map(describe).unwrap_or_default();
        return Err(format!("unexpected {t} after the table name"));
    }
    let mut stages = Vec::new();
    while p.peek().is_some() {
        p.sym("|")?;
        stages.push(p.stage()?);
    }
    Ok(Query { table, stages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_supported_operator() {
        let q = parse(
            "DeviceProcessEvents | where Timestamp > ago(7d) and FileName in (\"a.exe\", 'b.exe') \
             and ProcessCommandLine has \"-enc\" | summarize count() by DeviceName \
             | order by count_ asc | take 10",
        )
        .unwrap();
        assert_eq!(q.table, "DeviceProcessEvents");
        assert_eq!(q.stages.len(), 4);
        let Stage::Where(c) = &q.stages[0] else {
            panic!("{q:?}")
        };
        assert_eq!(c.len(), 3);
        assert_eq!(
            c[0],
            Cond::Cmp {
                col: "Timestamp".into(),
                op: Op::Gt,
                lit: Lit::Ago(7 * 86_400)
            }
        );
        assert_eq!(
            q.stages[1],
            Stage::SummarizeCount(vec!["DeviceName".into()])
        );
        assert_eq!(
            q.stages[2],
            Stage::OrderBy {
                col: "count_".into(),
                desc: false
            }
        );
        assert_eq!(q.stages[3], Stage::Take(10));
        assert_eq!(
            parse("T | limit 5 | project A, B").unwrap().stages[1],
            Stage::Project(vec!["A".into(), "B".into()])
        );
    }

    #[test]
    fn names_what_is_unsupported() {
        for (q, needle) in [
            ("T | join (U) on X", "operator 'join'"),
            ("T | where A == 1 or B == 2", "'or'"),
            ("T | where A matches regex \"x\"", "'matches'"),
            ("T | summarize dcount(A) by B", "'dcount'"),
            ("T | where A == tolower(\"x\")", "'tolower'"),
            ("T | where A == \"x", "unterminated"),
            ("", "empty"),
            ("T | take many", "whole number"),
            ("T | where Timestamp > ago(7w)", "timespan"),
        ] {
            let e = parse(q).unwrap_err();
            assert!(e.contains(needle), "{q}: {e}");
        }
    }
}
