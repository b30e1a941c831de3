//! The filter language: free text plus `key:value` terms (`sev:high status:active owner:me
//! owner:none tag:"Defender Experts" source:office365 class:tp age:<24h experts:yes`).
//!
//! Terms are separated by whitespace and ANDed. A key repeated (`sev:high sev:medium`) or given a
//! comma list (`sev:high,medium`) is an OR within that key. `-term` or `!term` negates. Values may
//! be quoted (`tag:"Defender Experts"`); quoted text is always free text (`"http://x"`,
//! `"-enc"`). Bare words match case-insensitively as substrings of the incident's search text
//! (id, title, owner, tags and the evidence entities of its alerts).

use super::entry::{Row, code, opt_code, source_bit, status_code};
use super::{Identity, IncidentEntry, RowMark};
use crate::graph::model::{
    Classification, Determination, IncidentStatus, ServiceSource, Severity, Timestamp,
};

/// A parse error with the byte offset of the offending term, shown inline under the filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {}: {}", self.offset + 1, self.message)
    }
}

impl std::error::Error for QueryError {}

/// A parsed query. `Query::default()` matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// ANDed groups; each group is an OR over its values.
    groups: Vec<Group>,
}

#[derive(Clone, Debug, PartialEq)]
struct Group {
    negated: bool,
    key: Key,
    values: Vec<Sel>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Text,
    Severity,
    Status,
    Owner,
    Tag,
    Source,
    Class,
    Det,
    Age,
    Created,
    Experts,
    Awaiting,
    Id,
    Prio,
    New,
}

/// Every key spelling the parser accepts, with its canonical key.
const KEYS: &[(&str, Key)] = &[
    ("sev", Key::Severity),
    ("severity", Key::Severity),
    ("status", Key::Status),
    ("st", Key::Status),
    ("owner", Key::Owner),
    ("assigned", Key::Owner),
    ("tag", Key::Tag),
    ("tags", Key::Tag),
    ("source", Key::Source),
    ("src", Key::Source),
    ("class", Key::Class),
    ("classification", Key::Class),
    ("det", Key::Det),
    ("determination", Key::Det),
    ("age", Key::Age),
    ("updated", Key::Age),
    ("created", Key::Created),
    ("experts", Key::Experts),
    ("de", Key::Experts),
    ("awaiting", Key::Awaiting),
    ("id", Key::Id),
    ("prio", Key::Prio),
    ("priority", Key::Prio),
    ("new", Key::New),
];

const VALID_KEYS: &str =
    "sev, status, owner, tag, source, class, det, age, created, experts, awaiting, id, prio, new";

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Text => "",
            Key::Severity => "sev",
            Key::Status => "status",
            Key::Owner => "owner",
            Key::Tag => "tag",
            Key::Source => "source",
            Key::Class => "class",
            Key::Det => "det",
            Key::Age => "age",
            Key::Created => "created",
            Key::Experts => "experts",
            Key::Awaiting => "awaiting",
            Key::Id => "id",
            Key::Prio => "prio",
            Key::New => "new",
        }
    }

    fn lookup(name: &str) -> Option<Key> {
        KEYS.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, key)| *key)
    }
}

/// A comparison operator for `age:`, `created:` and `prio:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Cmp {
    fn test(self, lhs: i64, rhs: i64) -> bool {
        match self {
            Cmp::Lt => lhs < rhs,
            Cmp::Le => lhs <= rhs,
            Cmp::Gt => lhs > rhs,
            Cmp::Ge => lhs >= rhs,
            Cmp::Eq => lhs == rhs,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "",
        }
    }

    /// Splits a leading operator off `s` (`=` or none gives `default`).
    fn split(s: &str, default: Cmp) -> (Cmp, &str) {
        for (p, c) in [
            ("<=", Cmp::Le),
            (">=", Cmp::Ge),
            ("<", Cmp::Lt),
            (">", Cmp::Gt),
            ("=", Cmp::Eq),
        ] {
            if let Some(rest) = s.strip_prefix(p) {
                return (if c == Cmp::Eq { default } else { c }, rest.trim());
            }
        }
        (default, s)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Sel {
    /// Lowercase substring of the search text.
    Text(String),
    /// `Severity::rank` (0 stands for every unknown severity).
    Sev(u8),
    /// `IncidentStatus` code.
    Status(u8),
    Open,
    Me,
    Unassigned,
    /// Lowercase owner substring.
    Owner(String),
    /// Lowercase tag substring.
    Tag(String),
    /// Index into `ServiceSource::KNOWN`.
    Source(u8),
    ExpertsSource,
    /// 0 = not set, else 1 + index into `Classification::KNOWN`.
    Class(u8),
    /// 0 = not set, else 1 + index into `Determination::KNOWN`.
    Det(u8),
    /// Age in seconds compared with a threshold; `text` keeps the normalised form.
    Age {
        cmp: Cmp,
        secs: i64,
        text: String,
    },
    Flag(bool),
    Id(String),
    /// `None` = no priority score.
    Prio(Option<(Cmp, i64)>),
}

impl Sel {
    /// The normalised value text for [`Query::describe`].
    fn describe(&self) -> String {
        match self {
            Sel::Text(s) | Sel::Owner(s) | Sel::Tag(s) | Sel::Id(s) => quote(s),
            Sel::Sev(r) => match r {
                4 => "high",
                3 => "medium",
                2 => "low",
                1 => "info",
                _ => "unknown",
            }
            .into(),
            Sel::Status(c) => match IncidentStatus::KNOWN.get(usize::from(*c)) {
                Some(IncidentStatus::InProgress) => "inprogress".into(),
                Some(IncidentStatus::AwaitingAction) => "awaiting".into(),
                Some(other) => quote(other.as_str()),
                None => "unknown".into(),
            },
            Sel::Open => "open".into(),
            Sel::Me => "me".into(),
            Sel::Unassigned => "none".into(),
            Sel::Source(i) => ServiceSource::KNOWN
                .get(usize::from(*i))
                .map_or("unknown", |s| s.short())
                .to_string(),
            Sel::ExpertsSource => "experts".into(),
            Sel::Class(c) => {
                match c
                    .checked_sub(1)
                    .and_then(|i| Classification::KNOWN.get(usize::from(i)))
                {
                    Some(Classification::TruePositive) => "tp".into(),
                    Some(Classification::FalsePositive) => "fp".into(),
                    Some(Classification::InformationalExpectedActivity) => "iea".into(),
                    Some(other) => quote(other.as_str()),
                    None => "none".into(),
                }
            }
            Sel::Det(d) => d
                .checked_sub(1)
                .and_then(|i| Determination::KNOWN.get(usize::from(i)))
                .map_or_else(|| "none".into(), |d| quote(d.as_str())),
            Sel::Age { text, .. } => text.clone(),
            Sel::Flag(b) => if *b { "yes" } else { "no" }.into(),
            Sel::Prio(p) => match p {
                Some((c, n)) => format!("{}{n}", c.as_str()),
                None => "none".into(),
            },
        }
    }
}

/// Quotes a value when it would not survive re-parsing bare.
fn quote(s: &str) -> String {
    let needs = s.is_empty()
        || s.starts_with(['-', '!'])
        || s.chars().any(|c| c.is_whitespace() || c == ',' || c == ':');
    if needs {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

/// Lowercases character by character (the same folding as the store's search text).
pub(super) fn lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        out.extend(c.to_lowercase());
    }
    out
}

/// Case-insensitive equality without allocating.
pub(super) fn eq_ci(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// One whitespace-separated term as typed.
struct Token {
    offset: usize,
    negated: bool,
    key: Option<String>,
    /// Comma-separated values (one for free text), quotes removed.
    parts: Vec<String>,
    /// Byte offset where each part starts (for errors pointing at the bad value).
    part_offsets: Vec<usize>,
    /// Byte offset just past the token (where a missing value would go).
    end: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut it = text.char_indices().peekable();
    loop {
        while it.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(offset, first)) = it.peek() else {
            break;
        };
        let negated = first == '-' || first == '!';
        if negated {
            it.next();
        }
        let (mut key, mut parts, mut cur) = (None, Vec::new(), String::new());
        let (mut in_quote, mut seen_quote) = (false, false);
        let mut part_offsets = Vec::new();
        let mut part_start = offset + usize::from(negated);
        let mut end = part_start;
        while let Some((i, c)) = it.next_if(|(_, c)| in_quote || !c.is_whitespace()) {
            end = i + c.len_utf8();
            match c {
                '"' => {
                    in_quote = !in_quote;
                    seen_quote = true;
                }
                ':' if !in_quote && key.is_none() && !seen_quote && !cur.is_empty() => {
                    key = Some(std::mem::take(&mut cur));
                    part_start = end;
                }
                ',' if !in_quote && key.is_some() => {
                    parts.push(std::mem::take(&mut cur));
                    part_offsets.push(part_start);
                    part_start = end;
                }
                _ => cur.push(c),
            }
        }
        parts.push(cur);
        part_offsets.push(part_start);
        tokens.push(Token {
            offset,
            negated,
            key,
            parts,
            part_offsets,
            end,
        });
    }
    tokens
}

fn err(offset: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        offset,
        message: message.into(),
    }
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "on" => Some(true),
        "no" | "n" | "false" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// `<24h`, `>7d`, `<=30m`, `2w` (no operator means "less than").
fn parse_age(v: &str) -> Option<Sel> {
    let (cmp, rest) = Cmp::split(v.trim(), Cmp::Lt);
    let split = rest.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = rest.split_at(split);
    let n: i64 = num.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult = match unit.as_str() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    let secs = n.checked_mul(mult)?;
    Some(Sel::Age {
        cmp,
        secs,
        text: format!("{}{n}{unit}", cmp.as_str()),
    })
}

fn parse_source(v: &str) -> Option<Sel> {
    let l = v.to_ascii_lowercase().replace([' ', '-', '_'], "");
    let alias = match l.as_str() {
        "experts" | "defenderexperts" | "dex" | "microsoftthreatexperts" => {
            return Some(Sel::ExpertsSource);
        }
        "mde" => "endpoint",
        "mdo" | "o365" => "office365",
        "mdi" => "identity",
        "mda" | "mcas" => "cloudapps",
        "m365d" | "defender" | "defenderxdr" => "xdr",
        "aad" | "entraid" | "aadip" => "entra",
        "mdc" => "cloud",
        "purview" | "irm" => "insiderrisk",
        other => other,
    };
    ServiceSource::KNOWN
        .iter()
        .find(|s| {
            s.short().eq_ignore_ascii_case(alias)
                || s.as_str().eq_ignore_ascii_case(alias)
                || s.label().replace(' ', "").eq_ignore_ascii_case(alias)
        })
        .map(|s| Sel::Source(code(ServiceSource::KNOWN, s)))
}

fn source_names() -> String {
    let mut names: Vec<&str> = ServiceSource::KNOWN
        .iter()
        .filter(|s| {
            !matches!(
                s,
                ServiceSource::Unknown | ServiceSource::UnknownFutureValue
            )
        })
        .map(|s| s.short())
        .collect();
    names.push("experts");
    names.join(", ")
}

fn st(s: IncidentStatus) -> u8 {
    status_code(&s)
}

fn cl(c: Classification) -> u8 {
    opt_code(Classification::KNOWN, &Some(c), &Classification::Unknown)
}

/// Parses one value of `key`; `Err` carries the list of valid values.
fn parse_value(key: Key, v: &str) -> Result<Sel, String> {
    let l = v.to_ascii_lowercase();
    let bad = |valid: &str| {
        Err(format!(
            "'{v}' is not a valid {} value (valid: {valid})",
            key.name()
        ))
    };
    match key {
        Key::Text => Ok(Sel::Text(lower(v))),
        Key::Severity => match l.as_str() {
            "high" => Ok(Sel::Sev(Severity::High.rank())),
            "medium" | "med" => Ok(Sel::Sev(Severity::Medium.rank())),
            "low" => Ok(Sel::Sev(Severity::Low.rank())),
            "info" | "informational" => Ok(Sel::Sev(Severity::Informational.rank())),
            "unknown" => Ok(Sel::Sev(0)),
            _ => bad("high, medium, low, info, unknown"),
        },
        Key::Status => match l.as_str() {
            "active" | "new" => Ok(Sel::Status(st(IncidentStatus::Active))),
            "inprogress" | "in-progress" | "in_progress" | "progress" => {
                Ok(Sel::Status(st(IncidentStatus::InProgress)))
            }
            "resolved" | "closed" => Ok(Sel::Status(st(IncidentStatus::Resolved))),
            "redirected" | "merged" => Ok(Sel::Status(st(IncidentStatus::Redirected))),
            "awaiting" | "awaitingaction" | "awaiting-action" | "awaitingcustomer" => {
                Ok(Sel::Status(st(IncidentStatus::AwaitingAction)))
            }
            "open" => Ok(Sel::Open),
            _ => match IncidentStatus::parse(v) {
                s if s.is_known() => Ok(Sel::Status(status_code(&s))),
                _ => bad("active, inprogress, awaiting, resolved, redirected, open"),
            },
        },
        Key::Owner => match l.as_str() {
            "me" => Ok(Sel::Me),
            "none" | "unassigned" => Ok(Sel::Unassigned),
            _ => Ok(Sel::Owner(lower(v))),
        },
        Key::Tag => Ok(Sel::Tag(lower(v))),
        Key::Source => parse_source(v).map_or_else(|| bad(&source_names()), Ok),
        Key::Class => match l.replace(['-', '_', ' ', ','], "").as_str() {
            "tp" | "truepositive" => Ok(Sel::Class(cl(Classification::TruePositive))),
            "fp" | "falsepositive" => Ok(Sel::Class(cl(Classification::FalsePositive))),
            "bp"
            | "iea"
            | "informational"
            | "benign"
            | "benignpositive"
            | "informationalexpectedactivity" => Ok(Sel::Class(cl(
                Classification::InformationalExpectedActivity,
            ))),
            "unknown" | "none" | "notset" | "unset" => Ok(Sel::Class(0)),
            _ => bad("tp, fp, iea (bp), none"),
        },
        Key::Det => match l.as_str() {
            "none" | "notset" | "unset" | "unknown" => Ok(Sel::Det(0)),
            _ => match Determination::parse(v) {
                d if d.is_known() && d != Determination::UnknownFutureValue => Ok(Sel::Det(
                    opt_code(Determination::KNOWN, &Some(d), &Determination::Unknown),
                )),
                _ => {
                    let names: Vec<&str> = Determination::KNOWN
                        .iter()
                        .filter(|d| {
                            !matches!(
                                d,
                                Determination::Unknown | Determination::UnknownFutureValue
                            )
                        })
                        .map(|d| d.as_str())
                        .collect();
                    bad(&format!("{}, none", names.join(", ")))
                }
            },
        },
        Key::Age | Key::Created => parse_age(v).map_or_else(
            || bad("a comparison and duration such as <24h, >7d, <30m, <2w"),
            Ok,
        ),
        Key::Experts | Key::Awaiting | Key::New => parse_flag(v)
            .map(Sel::Flag)
            .map_or_else(|| bad("yes, no"), Ok),
        Key::Id => Ok(Sel::Id(v.to_string())),
        Key::Prio => {
            if l == "none" {
                return Ok(Sel::Prio(None));
            }
            let (cmp, rest) = Cmp::split(v.trim(), Cmp::Eq);
            match rest.parse::<i64>() {
                Ok(n) => Ok(Sel::Prio(Some((cmp, n)))),
                Err(_) => bad(">85, <15, >=50, <=50, 50, none"),
            }
        }
    }
}

impl Query {
    /// Parses the filter text.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let mut groups: Vec<Group> = Vec::new();
        for tok in tokenize(text) {
            let key = match &tok.key {
                None => Key::Text,
                Some(k) => Key::lookup(k).ok_or_else(|| {
                    err(
                        tok.offset + usize::from(tok.negated),
                        format!(
                            "unknown filter key '{k}' (valid keys: {VALID_KEYS}; quote text \
                             that contains ':')"
                        ),
                    )
                })?,
            };
            let parts: Vec<(&str, usize)> = tok
                .parts
                .iter()
                .zip(&tok.part_offsets)
                .map(|(p, o)| (p.trim(), *o))
                .filter(|(p, _)| !p.is_empty())
                .collect();
            if parts.is_empty() {
                if key != Key::Text {
                    return Err(err(
                        tok.end,
                        format!("missing value after '{}:'", key.name()),
                    ));
                }
                if tok.negated {
                    return Err(err(tok.offset, "expected a term after '-'"));
                }
                continue;
            }
            // A bad value is pointed at itself, not at its key.
            let values = parts
                .iter()
                .map(|(p, o)| parse_value(key, p).map_err(|m| err(*o, m)))
                .collect::<Result<Vec<_>, _>>()?;
            let same = groups
                .iter_mut()
                .find(|g| key != Key::Text && g.key == key && g.negated == tok.negated);
            match same {
                Some(g) if !tok.negated => {
                    for v in values {
                        if !g.values.contains(&v) {
                            g.values.push(v);
                        }
                    }
                }
                _ => groups.push(Group {
                    negated: tok.negated,
                    key,
                    values,
                }),
            }
        }
        Ok(Query { groups })
    }

    /// The portal's default queue: status active or in progress (and awaiting action),
    /// severity high, medium or low.
    pub fn portal_default() -> Query {
        Query::parse("status:active,inprogress,awaiting sev:high,medium,low").unwrap_or_default()
    }

    /// This query AND another (a saved view narrowed by a typed filter).
    pub fn and(mut self, other: Query) -> Query {
        self.groups.extend(other.groups);
        self
    }

    /// True when the query matches everything.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Normalised text of the query (canonical keys and values), for the status bar. Parsing it
    /// again gives an equal query.
    pub fn describe(&self) -> String {
        self.groups
            .iter()
            .map(|g| {
                let values: Vec<String> = g.values.iter().map(Sel::describe).collect();
                let neg = if g.negated { "-" } else { "" };
                match g.key {
                    Key::Text => format!("{neg}{}", values.join(" ")),
                    k => format!("{neg}{}:{}", k.name(), values.join(",")),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// True when `entry` — one built with [`IncidentEntry::new`], outside a store — matches,
    /// with `owner:me` resolved against `identity` and ages measured from the current time.
    /// For an incident in a store use [`Store::matches_at`](super::Store::matches_at).
    pub fn matches(&self, entry: &IncidentEntry, identity: &Identity) -> bool {
        self.matches_at(entry, identity, Timestamp::now())
    }

    /// [`matches`](Self::matches) with an explicit "now" (for tests and for one consistent
    /// clock across a whole view).
    pub fn matches_at(&self, entry: &IncidentEntry, identity: &Identity, now: Timestamp) -> bool {
        self.matches_row(&entry.row(), &Ctx::new(identity, now))
    }

    /// The filter itself, over a row's compact facts and haystack.
    /// Terms on the compact facts are tested before terms on the search text, which costs a
    /// memory read elsewhere.
    pub(super) fn matches_row(&self, row: &Row<'_>, ctx: &Ctx) -> bool {
        let group = |g: &&Group| {
            let hit = g.values.iter().any(|v| sel_matches(g.key, v, row, ctx));
            hit != g.negated
        };
        let reads_text = |g: &&Group| g.values.iter().any(Sel::reads_text);
        self.groups
            .iter()
            .filter(|g| !reads_text(g))
            .all(|g| group(&g))
            && self.groups.iter().filter(reads_text).all(|g| group(&g))
    }
}

/// What a filter needs besides the row, prepared once per view.
pub(super) struct Ctx {
    /// Identity aliases, trimmed and lowercased like the rows' owners.
    me: Vec<String>,
    now_s: i64,
}

impl Ctx {
    pub(super) fn new(identity: &Identity, now: Timestamp) -> Self {
        let me = identity
            .aliases
            .iter()
            .map(|a| lower(a.trim()))
            .filter(|a| !a.is_empty())
            .collect();
        Ctx {
            me,
            now_s: now.as_second(),
        }
    }
}

impl Sel {
    /// Whether testing this reads the search text (rather than the facts alone).
    fn reads_text(&self) -> bool {
        matches!(self, Sel::Text(_) | Sel::Me | Sel::Owner(_) | Sel::Tag(_))
    }
}

fn sel_matches(key: Key, sel: &Sel, row: &Row<'_>, ctx: &Ctx) -> bool {
    let f = row.facts;
    match sel {
        Sel::Text(t) => row.hay().contains(t.as_str()),
        Sel::Sev(r) => f.sev == *r,
        Sel::Status(c) => f.status == *c,
        Sel::Open => {
            f.status != st(IncidentStatus::Resolved) && f.status != st(IncidentStatus::Redirected)
        }
        Sel::Me => f.has_owner && ctx.me.iter().any(|a| a == row.owner().trim()),
        Sel::Unassigned => !f.has_owner,
        Sel::Owner(s) => f.has_owner && row.owner().contains(s.as_str()),
        Sel::Tag(t) => row.tags().contains(t.as_str()),
        Sel::Source(i) => f.sources & source_bit_at(*i) != 0,
        Sel::ExpertsSource => f.experts,
        Sel::Class(c) => f.class == *c,
        Sel::Det(d) => f.det == *d,
        Sel::Age { cmp, secs, .. } => {
            let t = if key == Key::Created {
                f.created
            } else {
                f.updated
            };
            t.is_some_and(|t| cmp.test(ctx.now_s - t.div_euclid(1_000_000_000), *secs))
        }
        Sel::Flag(want) => {
            let have = match key {
                Key::Experts => f.experts,
                Key::Awaiting => f.status == st(IncidentStatus::AwaitingAction),
                _ => row.entry.mark != RowMark::Seen,
            };
            have == *want
        }
        Sel::Id(id) => row.entry.incident.id == *id,
        Sel::Prio(None) => f.priority.is_none(),
        Sel::Prio(Some((cmp, n))) => f.priority.is_some_and(|p| cmp.test(p, *n)),
    }
}

fn source_bit_at(i: u8) -> u32 {
    ServiceSource::KNOWN
        .get(usize::from(i))
        .map_or(0, source_bit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::{Alert, Evidence, Incident};

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn entry(f: impl FnOnce(&mut Incident)) -> IncidentEntry {
        let mut i = Incident {
            id: "42".into(),
            display_name: Some("Ransomware on FIN-LAPTOP-7".into()),
            severity: Severity::High,
            status: IncidentStatus::Active,
            assigned_to: Some("Alice@Contoso.com".into()),
            custom_tags: vec!["Crown Jewels".into()],
            system_tags: vec!["Defender Experts".into()],
            created_date_time: Some(ts("2026-01-01T00:00:00Z")),
            last_update_date_time: Some(ts("2026-01-10T00:00:00Z")),
            priority_score: Some(90),
            classification: Some(Classification::TruePositive),
            determination: Some(Determination::Malware),
            ..Default::default()
        };
        f(&mut i);
        IncidentEntry::new(i)
    }

    fn q(s: &str) -> Query {
        Query::parse(s).unwrap()
    }

    const NOW: &str = "2026-01-10T12:00:00Z";

    fn hit(query: &str, e: &IncidentEntry) -> bool {
        q(query).matches_at(e, &Identity::new(["alice@contoso.com"]), ts(NOW))
    }

    #[test]
    fn every_key_parses_and_matches() {
        let e = entry(|_| {});
        for (yes, no) in [
            ("sev:high", "sev:low"),
            ("severity:HIGH", "sev:info"),
            ("status:active", "status:resolved"),
            ("st:open", "st:inprogress"),
            ("owner:me", "owner:none"),
            ("assigned:alice", "owner:bob"),
            ("tag:jewel", "tag:vip"),
            ("tag:\"defender experts\"", "tag:\"defender hunters\""),
            ("class:tp", "class:fp"),
            ("classification:truePositive", "class:none"),
            ("det:malware", "det:phishing"),
            ("determination:MALWARE", "det:none"),
            ("age:<24h", "age:>1d"),
            ("created:>7d", "created:<1w"),
            ("experts:yes", "de:no"),
            ("awaiting:no", "awaiting:yes"),
            ("id:42", "id:4"),
            ("prio:>85", "prio:<15"),
            ("priority:>=90", "prio:none"),
            ("new:no", "new:yes"),
            ("source:experts", "src:endpoint"),
        ] {
            assert!(hit(yes, &e), "{yes} should match");
            assert!(!hit(no, &e), "{no} should not match");
        }
    }

    #[test]
    fn sources_match_short_and_raw_names() {
        let mut i = Incident {
            id: "1".into(),
            ..Default::default()
        };
        i.alerts = Some(vec![Alert {
            id: "a".into(),
            service_source: ServiceSource::MicrosoftDefenderForOffice365,
            ..Default::default()
        }]);
        let e = IncidentEntry::new(i);
        for yes in [
            "source:office365",
            "src:microsoftDefenderForOffice365",
            "source:mdo",
        ] {
            assert!(hit(yes, &e), "{yes}");
        }
        assert!(!hit("source:endpoint", &e));
        assert!(!hit("source:experts", &e));
    }

    #[test]
    fn old_determination_aliases_are_accepted() {
        let e = entry(|i| i.determination = Some(Determination::CompromisedAccount));
        assert!(hit("det:compromisedUser", &e));
        assert!(hit("det:compromisedaccount", &e));
        let e = entry(|i| i.determination = Some(Determination::NotEnoughDataToValidate));
        assert!(hit("det:insufficientData", &e));
    }

    #[test]
    fn or_within_a_key_and_across_comma_lists() {
        let low = entry(|i| i.severity = Severity::Low);
        assert!(hit("sev:high sev:low", &low));
        assert!(hit("sev:high,low", &low));
        assert!(!hit("sev:high sev:medium", &low));
        assert_eq!(q("sev:high sev:low"), q("sev:high,low"));
        // Different keys are still ANDed.
        assert!(!hit("sev:low status:resolved", &low));
    }

    #[test]
    fn negation_with_dash_and_bang() {
        let e = entry(|_| {});
        assert!(!hit("-sev:high", &e));
        assert!(hit("!sev:low", &e));
        assert!(hit("-sev:low,medium", &e));
        assert!(!hit("-sev:low,high", &e));
        assert!(!hit("-ransomware", &e));
        assert!(hit("-phishing", &e));
        // Negated terms of one key are each ANDed: neither high nor low.
        assert!(!hit("-sev:low -sev:high", &e));
    }

    #[test]
    fn quoted_text_and_values() {
        let e = entry(|_| {});
        assert!(hit("\"ransomware on fin\"", &e));
        assert!(!hit("\"ransomware fin\"", &e));
        assert!(hit("tag:\"Crown Jewels\"", &e));
        // A quoted colon is text, not a key.
        assert!(Query::parse("\"http://evil.example\"").is_ok());
        // Quoted dash is text, not negation.
        let dash = entry(|i| i.display_name = Some("powershell -enc AAA".into()));
        assert!(hit("\"-enc\"", &dash));
        assert!(!hit("\"-enc\"", &e));
    }

    #[test]
    fn bare_words_are_case_insensitive_and_anded() {
        let e = entry(|_| {});
        assert!(hit("RANSOMWARE fin-laptop", &e));
        assert!(!hit("ransomware phishing", &e));
        assert!(hit("42", &e));
        assert!(hit("alice@contoso", &e));
    }

    #[test]
    fn errors_carry_the_term_offset() {
        let e = Query::parse("sev:high  colour:red").unwrap_err();
        assert_eq!(e.offset, 10);
        assert!(
            e.message.contains("unknown filter key 'colour'"),
            "{}",
            e.message
        );
        assert!(e.message.contains("sev, status"), "{}", e.message);

        // Bad values are pointed at themselves (the caret goes under the value, not the key).
        let e = Query::parse("ransom sev:urgent").unwrap_err();
        assert_eq!(e.offset, 11);
        assert!(e.message.contains("high, medium, low"), "{}", e.message);

        let e = Query::parse("a -status:maybe").unwrap_err();
        assert_eq!(e.offset, 10);
        assert!(e.message.contains("inprogress"), "{}", e.message);

        for (text, offset, needle) in [
            ("source:fax", 7, "office365"),
            ("x class:maybe", 8, "tp, fp"),
            ("det:bogus", 4, "multiStagedAttack"),
            ("age:yesterday", 4, "<24h"),
            ("age:<24x", 4, "<24h"),
            ("sev:hig", 4, "high, medium"),
            ("sev:high,hgh", 9, "high, medium"),
            ("created:<5y", 8, "<24h"),
            ("experts:maybe", 8, "yes, no"),
            ("prio:high", 5, ">85"),
            ("sev:", 4, "missing value"),
            ("a - b", 2, "after '-'"),
        ] {
            let e = Query::parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text}");
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
        assert_eq!(
            Query::parse("  foo:1")
                .unwrap_err()
                .to_string()
                .split(':')
                .next(),
            Some("at 3")
        );
    }

    #[test]
    fn age_is_relative_to_the_injected_now() {
        // Updated 2026-01-10T00:00Z; NOW is 12 hours later.
        let e = entry(|_| {});
        assert!(hit("age:<13h", &e));
        assert!(!hit("age:<11h", &e));
        assert!(hit("age:>11h", &e));
        assert!(hit("age:<=720m", &e));
        assert!(hit("age:>=720m", &e));
        assert!(hit("age:1d", &e), "no operator means 'less than'");
        let later = ts("2026-02-10T12:00:00Z");
        assert!(!q("age:<1w").matches_at(&e, &Identity::default(), later));
        assert!(q("age:>4w").matches_at(&e, &Identity::default(), later));
        // No timestamp never matches an age term.
        let undated = entry(|i| i.last_update_date_time = None);
        assert!(!hit("age:<100w", &undated) && !hit("age:>0s", &undated));
    }

    #[test]
    fn owner_me_uses_aliases_case_insensitively() {
        let e = entry(|i| i.assigned_to = Some("ALICE@contoso.COM".into()));
        let id = Identity::new(["someone@else", "alice@contoso.com"]);
        assert!(q("owner:me").matches_at(&e, &id, ts(NOW)));
        assert!(!q("owner:me").matches_at(&e, &Identity::new(["bob@contoso.com"]), ts(NOW)));
        assert!(!q("owner:me").matches_at(&e, &Identity::default(), ts(NOW)));
        let none = entry(|i| i.assigned_to = None);
        assert!(hit("owner:none", &none) && !hit("owner:me", &none));
    }

    #[test]
    fn status_and_severity_aliases() {
        let wait = entry(|i| i.status = IncidentStatus::AwaitingAction);
        for yes in [
            "status:awaiting",
            "status:awaitingAction",
            "st:open",
            "awaiting:yes",
        ] {
            assert!(hit(yes, &wait), "{yes}");
        }
        let done = entry(|i| i.status = IncidentStatus::Redirected);
        assert!(hit("status:redirected", &done) && !hit("status:open", &done));
        assert!(hit("-status:open", &done));
        let prog = entry(|i| i.status = IncidentStatus::InProgress);
        assert!(hit("status:in-progress", &prog) && hit("status:inprogress", &prog));
        let info = entry(|i| i.severity = Severity::Informational);
        assert!(hit("sev:info", &info) && hit("sev:informational", &info));
        let odd = entry(|i| i.severity = Severity::Other("critical".into()));
        assert!(hit("sev:unknown", &odd) && !hit("sev:high", &odd));
    }

    #[test]
    fn free_text_reaches_evidence_entities() {
        let ev = |v: serde_json::Value| Evidence::from_value(v);
        let mut i = Incident {
            id: "7".into(),
            ..Default::default()
        };
        i.alerts = Some(vec![Alert {
            id: "a".into(),
            evidence: vec![
                ev(
                    serde_json::json!({"@odata.type": "#microsoft.graph.security.deviceEvidence",
                    "deviceDnsName": "WS-0042.corp.local", "ipInterfaces": ["10.1.2.3"]}),
                ),
                ev(
                    serde_json::json!({"@odata.type": "#microsoft.graph.security.processEvidence",
                    "processCommandLine": "powershell.exe -EncodedCommand SQBFAFgA",
                    "imageFile": {"fileName": "powershell.exe", "sha256": "ABCDEF0123"}}),
                ),
                ev(
                    serde_json::json!({"@odata.type": "#microsoft.graph.security.mailboxEvidence",
                    "primaryAddress": "ceo@contoso.com"}),
                ),
                ev(
                    serde_json::json!({"@odata.type": "#microsoft.graph.security.analyzedMessageEvidence",
                    "subject": "Overdue invoice", "p1Sender": {"emailAddress": "billing@invoice-portal.biz"}}),
                ),
            ],
            ..Default::default()
        }]);
        let e = IncidentEntry::new(i);
        for yes in [
            "ws-0042",
            "10.1.2.3",
            "abcdef0123",
            "-encodedcommand",
            "ceo@contoso",
            "billing@invoice-portal",
        ] {
            let text = format!("\"{yes}\"");
            assert!(hit(&text, &e), "{yes}");
        }
        assert!(!hit("ws-0043", &e));
    }

    #[test]
    fn portal_default_matches_the_portal_queue() {
        let d = Query::portal_default();
        assert!(!d.is_empty());
        assert!(hit(&d.describe(), &entry(|_| {})));
        assert!(!d.matches_at(
            &entry(|i| i.severity = Severity::Informational),
            &Identity::default(),
            ts(NOW)
        ));
        assert!(!d.matches_at(
            &entry(|i| i.status = IncidentStatus::Resolved),
            &Identity::default(),
            ts(NOW)
        ));
        assert!(d.matches_at(
            &entry(|i| i.status = IncidentStatus::AwaitingAction),
            &Identity::default(),
            ts(NOW)
        ));
        assert!(d.matches_at(
            &entry(|i| i.status = IncidentStatus::InProgress),
            &Identity::default(),
            ts(NOW)
        ));
    }

    #[test]
    fn describe_normalises_and_round_trips() {
        let text = "Severity:HIGH sev:med st:in-progress -owner:NONE tag:\"Crown Jewels\" RANSOM \
                    \"a b\" class:truepositive prio:>=50 age:<24H src:mde experts:y";
        let parsed = q(text);
        let d = parsed.describe();
        assert_eq!(
            d,
            "sev:high,medium status:inprogress -owner:none tag:\"crown jewels\" ransom \"a b\" \
             class:tp prio:>=50 age:<24h source:endpoint experts:yes"
        );
        assert_eq!(q(&d), parsed);
        assert!(q("").is_empty() && q("   ").is_empty());
        assert!(!q("x").is_empty());
    }

    #[test]
    fn and_narrows_instead_of_widening() {
        let saved = q("sev:high,low");
        let narrowed = saved.clone().and(q("sev:low"));
        let high = entry(|_| {});
        assert!(saved.matches_at(&high, &Identity::default(), ts(NOW)));
        assert!(!narrowed.matches_at(&high, &Identity::default(), ts(NOW)));
        assert!(Query::default().and(Query::default()).is_empty());
    }
}
