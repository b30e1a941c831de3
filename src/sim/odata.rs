//! OData query options the simulated Graph understands: `$filter` (a small, strict subset
//! like the security API's), `$top`, `$skip`, `$count`, `$expand`, `$orderby`.

use jiff::Timestamp;

use super::model::{EnumTable, canon, ordinal};
use serde_json::Value;

/// Type of a filterable property.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Str,
    Enum(EnumTable),
    Time,
}

/// Filterable properties of one entity type, plus all of its property names (for messages).
pub struct Schema {
    pub entity: &'static str,
    pub filterable: &'static [(&'static str, Kind)],
    pub known: &'static [&'static str],
}

/// A property value as seen by the filter.
pub enum Field<'a> {
    Str(Option<&'a str>),
    Time(Timestamp),
}

/// Something `$filter` can be evaluated against.
pub trait Filterable {
    fn field(&self, prop: &str) -> Field<'_>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug)]
pub enum Lit {
    Str(String),
    Null,
    Time(Timestamp),
}

/// Parsed `$filter` expression.
#[derive(Clone, Debug)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp {
        prop: &'static str,
        kind: Kind,
        op: Op,
        lit: Lit,
    },
}

impl Expr {
    /// Evaluates against one entity.
    pub fn eval(&self, e: &dyn Filterable) -> bool {
        match self {
            Expr::And(a, b) => a.eval(e) && b.eval(e),
            Expr::Or(a, b) => a.eval(e) || b.eval(e),
            Expr::Cmp {
                prop,
                kind,
                op,
                lit,
            } => cmp(e.field(prop), *kind, *op, lit),
        }
    }
}

fn cmp(f: Field<'_>, kind: Kind, op: Op, lit: &Lit) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (f, lit) {
        (Field::Str(v), Lit::Null) => {
            return match op {
                Op::Eq => v.is_none(),
                Op::Ne => v.is_some(),
                _ => false,
            };
        }
        (Field::Str(None), _) => {
            return op == Op::Ne;
        }
        (Field::Str(Some(v)), Lit::Str(l)) => match kind {
            Kind::Enum(t) => Some(ordinal(t, v).cmp(&ordinal(t, l))),
            _ => Some(v.to_lowercase().cmp(&l.to_lowercase())),
        },
        (Field::Time(t), Lit::Time(l)) => Some(t.cmp(l)),
        _ => None,
    };
    let Some(o) = ord else { return false };
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Ident(String),
    Str(String),
    Time(Timestamp),
    Num(String),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == '\'' {
            let mut v = String::new();
            i += 1;
            loop {
                match cs.get(i) {
                    None => {
                        return Err("Invalid filter clause: unterminated string literal.".into());
                    }
                    Some('\'') if cs.get(i + 1) == Some(&'\'') => {
                        v.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        v.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(v));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let st = i;
            while i < cs.len()
                && (cs[i].is_ascii_alphanumeric() || matches!(cs[i], '_' | '/' | '.'))
            {
                i += 1;
            }
            out.push(Tok::Ident(cs[st..i].iter().collect()));
        } else if c.is_ascii_digit() || c == '-' {
            let st = i;
            while i < cs.len() && !cs[i].is_whitespace() && cs[i] != ')' && cs[i] != '(' {
                i += 1;
            }
            let w: String = cs[st..i].iter().collect();
            if w.contains('T') {
                let t: Timestamp = w.parse().map_err(|_| {
                    format!("Invalid filter clause: the DateTimeOffset literal '{w}' is not valid.")
                })?;
                out.push(Tok::Time(t));
            } else {
                out.push(Tok::Num(w));
            }
        } else {
            return Err(format!(
                "Invalid filter clause: syntax error at position {i} in '{s}'."
            ));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    schema: &'a Schema,
}

impl Parser<'_> {
    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.peek_kw("or") {
            self.pos += 1;
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.primary()?;
        while self.peek_kw("and") {
            self.pos += 1;
            let r = self.primary()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let e = self.or()?;
                if self.toks.get(self.pos) != Some(&Tok::RParen) {
                    return Err("Invalid filter clause: ')' expected.".into());
                }
                self.pos += 1;
                Ok(e)
            }
            Some(Tok::Ident(name)) => {
                self.pos += 1;
                if self.toks.get(self.pos) == Some(&Tok::LParen) {
                    return Err(format!(
                        "Invalid filter clause: the function '{name}' is not supported."
                    ));
                }
                if name.eq_ignore_ascii_case("not") {
                    return Err(
                        "Invalid filter clause: the 'not' operator is not supported.".into(),
                    );
                }
                self.comparison(&name)
            }
            Some(t) => Err(format!("Invalid filter clause: unexpected token {t:?}.")),
            None => Err("Invalid filter clause: expression expected.".into()),
        }
    }

    fn comparison(&mut self, name: &str) -> Result<Expr, String> {
        let s = self.schema;
        let Some(&(prop, kind)) = s
            .filterable
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(name))
        else {
            if s.known.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                return Err(format!(
                    "Invalid filter clause: filtering on property '{name}' is not supported."
                ));
            }
            return Err(format!(
                "Invalid filter clause: Could not find a property named '{name}' on type '{}'.",
                s.entity
            ));
        };
        let op = match self.toks.get(self.pos) {
            Some(Tok::Ident(o)) => match o.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                other => {
                    return Err(format!(
                        "Invalid filter clause: operator '{other}' is not supported."
                    ));
                }
            },
            _ => {
                return Err(format!(
                    "Invalid filter clause: operator expected after '{name}'."
                ));
            }
        };
        self.pos += 1;
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        let lit = match (kind, tok) {
            (_, Some(Tok::Ident(w))) if w.eq_ignore_ascii_case("null") => {
                if matches!(kind, Kind::Time) {
                    return Err(format!("Invalid filter clause: '{prop}' is not nullable."));
                }
                Lit::Null
            }
            (Kind::Str, Some(Tok::Str(v))) => {
                if !matches!(op, Op::Eq | Op::Ne) {
                    return Err(format!(
                        "Invalid filter clause: only eq and ne are supported on '{prop}'."
                    ));
                }
                Lit::Str(v)
            }
            (Kind::Enum(t), Some(Tok::Str(v))) => match canon(t, &v) {
                Some(c) => Lit::Str(c.to_string()),
                None => {
                    return Err(format!(
                        "Invalid filter clause: the string '{v}' is not a valid enumeration value for '{prop}'."
                    ));
                }
            },
            (Kind::Time, Some(Tok::Time(t))) => Lit::Time(t),
            (Kind::Time, Some(Tok::Str(_))) => {
                return Err(format!(
                    "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '{op:?}' on '{prop}'."
                ));
            }
            (_, Some(t)) => {
                return Err(format!(
                    "Invalid filter clause: literal {t:?} does not match the type of '{prop}'."
                ));
            }
            (_, None) => {
                return Err(format!(
                    "Invalid filter clause: value expected after '{name}'."
                ));
            }
        };
        Ok(Expr::Cmp {
            prop,
            kind,
            op,
            lit,
        })
    }
}

/// Parses a `$filter` value against `schema`.
pub fn parse_filter(s: &str, schema: &Schema) -> Result<Expr, String> {
    let toks = lex(s)?;
    let mut p = Parser {
        toks,
        pos: 0,
        schema,
    };
    let e = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!(
            "Invalid filter clause: unexpected text after position {} in '{s}'.",
            p.pos
        ));
    }
    Ok(e)
}

/// Parsed list query options.
pub struct ListQuery {
    pub filter: Option<Expr>,
    pub top: Option<usize>,
    pub skip: usize,
    pub count: bool,
    /// The one navigation property the entity can expand (`alerts`, `incident`) was asked for.
    pub expand: bool,
    /// `$select`: the properties to keep (schema names), when given.
    pub select: Option<Vec<&'static str>>,
    /// (property, descending)
    pub order: Option<(&'static str, bool)>,
    /// Original pairs, to rebuild `@odata.nextLink`.
    pub pairs: Vec<(String, String)>,
}

/// Parses the query string of a list request. `expandable` names the navigation property
/// `$expand` accepts, if any.
pub fn parse_list(
    raw: Option<&str>,
    schema: &Schema,
    expandable: Option<&str>,
    orderable: &[&'static str],
) -> Result<ListQuery, String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut q = ListQuery {
        filter: None,
        top: None,
        skip: 0,
        count: false,
        expand: false,
        select: None,
        order: None,
        pairs: pairs.clone(),
    };
    for (k, v) in &pairs {
        match k.to_ascii_lowercase().as_str() {
            "$filter" => q.filter = Some(parse_filter(v, schema)?),
            "$top" => {
                q.top = Some(v.trim().parse().map_err(|_| {
                    format!("Invalid value '{v}' for $top query option found. The $top query option requires a non-negative integer value.")
                })?)
            }
            "$skip" => {
                q.skip = v.trim().parse().map_err(|_| {
                    format!("Invalid value '{v}' for $skip query option found. The $skip query option requires a non-negative integer value.")
                })?
            }
            "$count" => {
                q.count = match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("'{v}' is not a valid count option.")),
                }
            }
            "$expand" => {
                let ok = expandable.is_some_and(|nav| {
                    v.split(',').all(|p| p.trim().eq_ignore_ascii_case(nav))
                });
                if !ok {
                    return Err(format!(
                        "Could not find a property named '{}' on type '{}'.",
                        v.trim(),
                        schema.entity
                    ));
                }
                q.expand = true;
            }
            "$select" => q.select = Some(parse_select(v, schema)?),
            "$orderby" => {
                let mut it = v.split_whitespace();
                let prop = it.next().unwrap_or("");
                let dir = it.next().unwrap_or("asc").to_ascii_lowercase();
                let Some(p) = orderable.iter().find(|p| p.eq_ignore_ascii_case(prop)) else {
                    return Err(format!("The $orderby property '{prop}' is not supported."));
                };
                let desc = match dir.as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => return Err(format!("Invalid $orderby direction '{dir}'.")),
                };
                if it.next().is_some() {
                    return Err("Only a single $orderby property is supported.".into());
                }
                q.order = Some((p, desc));
            }
            _ => {}
        }
    }
    Ok(q)
}

/// The schema names of a `$select` list; an unknown property is an error, as in Graph.
fn parse_select(v: &str, schema: &Schema) -> Result<Vec<&'static str>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|name| {
            schema
                .filterable
                .iter()
                .map(|(p, _)| *p)
                .chain(schema.known.iter().copied())
                .find(|p| p.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    format!(
                        "Could not find a property named '{name}' on type '{}'.",
                        schema.entity
                    )
                })
        })
        .collect()
}

/// Keeps only `id`, the `@odata` annotations, the selected properties and `expanded` (an
/// expanded navigation property) of a rendered record.
pub fn apply_select(v: &mut Value, select: &[&str], expanded: Option<&str>) {
    if let Value::Object(m) = v {
        m.retain(|k, _| {
            k == "id"
                || k.starts_with("@odata")
                || select.contains(&k.as_str())
                || expanded == Some(k.as_str())
        });
    }
}

/// Builds an absolute `@odata.nextLink` carrying the same options with a new `$skip`.
pub fn next_link(base: &str, path: &str, pairs: &[(String, String)], skip: usize) -> String {
    let mut parts: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skip"))
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    parts.push(format!("$skip={skip}"));
    format!("{base}{path}?{}", parts.join("&"))
}

fn enc(s: &str) -> String {
    // Keep `$`, `'`, `:` and `,` readable as Graph does; encode the rest.
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace("%24", "$")
        .replace("%27", "'")
        .replace("%3A", ":")
        .replace("%2C", ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::model::SEVERITY;

    const S: Schema = Schema {
        entity: "microsoft.graph.security.incident",
        filterable: &[
            ("severity", Kind::Enum(SEVERITY)),
            ("assignedTo", Kind::Str),
            ("createdDateTime", Kind::Time),
        ],
        known: &["displayName"],
    };

    struct E(&'static str, Option<&'static str>, Timestamp);
    impl Filterable for E {
        fn field(&self, p: &str) -> Field<'_> {
            match p {
                "severity" => Field::Str(Some(self.0)),
                "assignedTo" => Field::Str(self.1),
                _ => Field::Time(self.2),
            }
        }
    }

    #[test]
    fn evaluates_and_or_parens() {
        let t: Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        let e = E("high", None, t);
        let f = parse_filter(
            "(severity eq 'High' or severity eq 'low') and createdDateTime ge 2026-01-01T00:00:00Z",
            &S,
        )
        .unwrap();
        assert!(f.eval(&e));
        let f = parse_filter("severity gt 'medium' and assignedTo eq null", &S).unwrap();
        assert!(f.eval(&e));
        let f = parse_filter("createdDateTime gt 2026-01-02T00:00:00.0000001Z", &S).unwrap();
        assert!(!f.eval(&e));
    }

    #[test]
    fn rejects_unsupported() {
        assert!(
            parse_filter("displayName eq 'x'", &S)
                .unwrap_err()
                .contains("not supported")
        );
        assert!(
            parse_filter("foo eq 'x'", &S)
                .unwrap_err()
                .contains("Could not find")
        );
        assert!(parse_filter("createdDateTime ge '2026-01-01T00:00:00Z'", &S).is_err());
        assert!(parse_filter("severity eq 'bogus'", &S).is_err());
        assert!(parse_filter("startswith(assignedTo,'a')", &S).is_err());
        assert!(parse_filter("severity eq 'high' and", &S).is_err());
    }

    #[test]
    fn next_link_keeps_options() {
        let l = next_link(
            "http://h",
            "/v1.0/x",
            &[
                ("$top".into(), "5".into()),
                ("$filter".into(), "severity eq 'high'".into()),
                ("$skip".into(), "5".into()),
            ],
            10,
        );
        assert_eq!(
            l,
            "http://h/v1.0/x?$top=5&$filter=severity+eq+'high'&$skip=10"
        );
    }
}
