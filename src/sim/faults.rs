//! Fault injection for the simulated tenant: the `--faults` spec and its parser.

use std::fmt;
use std::time::Duration;

/// Which faults the simulated Graph injects, and how often. Probabilities are in `0.0..=1.0`
/// and are drawn independently per request (or per record for `unknown_enum`).
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// Probability of `429 TooManyRequests` (with `Retry-After`).
    pub p429: f64,
    /// `Retry-After` value sent with 429 and 503 responses.
    pub retry_after: Duration,
    /// Probability of `500 InternalServerError`.
    pub p500: f64,
    /// Probability of `503 ServiceUnavailable` (with `Retry-After`).
    pub p503: f64,
    /// Latency added to every Graph response.
    pub latency: Duration,
    /// Probability that a response hangs for 60 s before being answered.
    pub stall: f64,
    /// Probability of a `200` whose body is not valid JSON.
    pub malformed: f64,
    /// Probability that the body is cut off mid-stream (connection aborted).
    pub truncate: f64,
    /// Probability that a list page carries one invalid record.
    pub bad_record: f64,
    /// Per-record probability of an enum member newer than the client knows (Prefer-gated).
    pub unknown_enum: f64,
    /// Per-alert probability (stable across requests) that its evidence includes an item of a
    /// type newer than the schema; the alerts the generator marks always do while it is above 0.
    pub unknown_evidence: f64,
    /// Access tokens stop working after this long, whatever `expires_in` said.
    pub expire_tokens: Option<Duration>,
    /// `$expand=alerts` with a page size above this answers 500, as Graph does on big tenants.
    pub expand_500: Option<usize>,
    /// The next this-many Graph requests get 429.
    pub burst_429: u32,
    /// Comments are stored normalised, as a service may: `\r\n` and `\r` become `\n`, blanks
    /// at line ends and at both ends of the text are dropped.
    pub normalize_comments: bool,
    /// The next this-many advanced hunting queries get the CPU-quota 429 and its message.
    pub hunt_cpu_quota: u32,
}

impl Default for FaultSpec {
    fn default() -> Self {
        FaultSpec {
            p429: 0.0,
            retry_after: Duration::from_secs(1),
            p500: 0.0,
            p503: 0.0,
            latency: Duration::ZERO,
            stall: 0.0,
            malformed: 0.0,
            truncate: 0.0,
            bad_record: 0.0,
            unknown_enum: 0.0,
            unknown_evidence: 0.0,
            expire_tokens: None,
            expand_500: None,
            burst_429: 0,
            normalize_comments: false,
            hunt_cpu_quota: 0,
        }
    }
}

const KEYS: &str = "429, retry-after, 500, 503, latency, stall, malformed, truncate, bad-record, \
                    unknown-enum, unknown-evidence, expire-tokens, expand-500, 429-burst, normalize-comments, hunt-cpu-quota";

impl FaultSpec {
    /// Parses `429=0.2,retry-after=1,latency=200ms,expire-tokens=30s,expand-500=25,...`.
    /// An empty string or `none` means no faults. Errors name the offending term.
    pub fn parse(spec: &str) -> Result<FaultSpec, String> {
        let mut f = FaultSpec::default();
        let spec = spec.trim();
        if spec.is_empty() || spec.eq_ignore_ascii_case("none") {
            return Ok(f);
        }
        for term in spec.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (key, val) = term
                .split_once('=')
                .ok_or_else(|| format!("fault term '{term}': expected KEY=VALUE"))?;
            let (key, val) = (key.trim().to_ascii_lowercase(), val.trim());
            let bad = |why: String| format!("fault term '{term}': {why}");
            match key.as_str() {
                "429" => f.p429 = prob(val).map_err(bad)?,
                "500" => f.p500 = prob(val).map_err(bad)?,
                "503" => f.p503 = prob(val).map_err(bad)?,
                "stall" => f.stall = prob(val).map_err(bad)?,
                "malformed" => f.malformed = prob(val).map_err(bad)?,
                "truncate" => f.truncate = prob(val).map_err(bad)?,
                "bad-record" => f.bad_record = prob(val).map_err(bad)?,
                "unknown-enum" => f.unknown_enum = prob(val).map_err(bad)?,
                "unknown-evidence" => f.unknown_evidence = prob(val).map_err(bad)?,
                "retry-after" => f.retry_after = duration(val, true).map_err(bad)?,
                "latency" => f.latency = duration(val, false).map_err(bad)?,
                "expire-tokens" => f.expire_tokens = Some(duration(val, true).map_err(bad)?),
                "expand-500" => f.expand_500 = Some(count(val).map_err(bad)?),
                "429-burst" => {
                    f.burst_429 = u32::try_from(count(val).map_err(bad)?)
                        .map_err(|_| bad("count too large".into()))?
                }
                "normalize-comments" => f.normalize_comments = flag(val).map_err(bad)?,
                "hunt-cpu-quota" => {
                    f.hunt_cpu_quota = u32::try_from(count(val).map_err(bad)?)
                        .map_err(|_| bad("count too large".into()))?
                }
                other => return Err(bad(format!("unknown fault '{other}' (known: {KEYS})"))),
            }
        }
        Ok(f)
    }

    /// True when no fault of any kind is configured.
    pub fn is_none(&self) -> bool {
        self.p429 == 0.0
            && self.p500 == 0.0
            && self.p503 == 0.0
            && self.latency.is_zero()
            && self.stall == 0.0
            && self.malformed == 0.0
            && self.truncate == 0.0
            && self.bad_record == 0.0
            && self.unknown_enum == 0.0
            && self.unknown_evidence == 0.0
            && self.expire_tokens.is_none()
            && self.expand_500.is_none()
            && self.burst_429 == 0
            && !self.normalize_comments
            && self.hunt_cpu_quota == 0
    }

    /// The `Retry-After` header value (whole seconds when possible, else decimal).
    pub fn retry_after_header(&self) -> String {
        let s = self.retry_after.as_secs_f64();
        if s.fract() == 0.0 {
            format!("{}", s as u64)
        } else {
            format!("{s:.3}")
        }
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("none");
        }
        let mut parts: Vec<String> = Vec::new();
        for (k, v) in [
            ("429", self.p429),
            ("500", self.p500),
            ("503", self.p503),
            ("stall", self.stall),
            ("malformed", self.malformed),
            ("truncate", self.truncate),
            ("bad-record", self.bad_record),
            ("unknown-enum", self.unknown_enum),
            ("unknown-evidence", self.unknown_evidence),
        ] {
            if v > 0.0 {
                parts.push(format!("{k}={v}"));
            }
        }
        parts.push(format!("retry-after={}", self.retry_after_header()));
        if !self.latency.is_zero() {
            parts.push(format!("latency={}ms", self.latency.as_millis()));
        }
        if let Some(d) = self.expire_tokens {
            parts.push(format!("expire-tokens={}ms", d.as_millis()));
        }
        if let Some(n) = self.expand_500 {
            parts.push(format!("expand-500={n}"));
        }
        if self.burst_429 > 0 {
            parts.push(format!("429-burst={}", self.burst_429));
        }
        if self.normalize_comments {
            parts.push("normalize-comments=1".into());
        }
        if self.hunt_cpu_quota > 0 {
            parts.push(format!("hunt-cpu-quota={}", self.hunt_cpu_quota));
        }
        f.write_str(&parts.join(","))
    }
}

fn prob(v: &str) -> Result<f64, String> {
    let p: f64 = v
        .parse()
        .map_err(|_| format!("'{v}' is not a probability"))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("probability {p} is outside 0..1"));
    }
    Ok(p)
}

fn flag(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("'{v}' is not on/off (1 or 0)")),
    }
}

/// A comment as a normalising service stores it (see [`FaultSpec::normalize_comments`]).
pub fn normalize_comment(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

fn count(v: &str) -> Result<usize, String> {
    v.parse()
        .map_err(|_| format!("'{v}' is not a whole number"))
}

/// `200ms`, `1.5s`, `2m`, `1h`; a bare number is seconds when `bare_secs`.
fn duration(v: &str, bare_secs: bool) -> Result<Duration, String> {
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{v}' is not a duration (e.g. 200ms, 30s)"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "" if bare_secs => n,
        _ => return Err(format!("'{v}' needs a unit: ms, s, m or h")),
    };
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("duration '{v}' is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_example() {
        let f = FaultSpec::parse(
            "429=0.2,retry-after=1,500=0.1,503=0.05,latency=200ms,stall=0.01,malformed=0.05,\
             truncate=0.05,bad-record=0.1,unknown-enum=0.2,expire-tokens=30s,expand-500=25,429-burst=3",
        )
        .unwrap();
        assert_eq!(f.p429, 0.2);
        assert_eq!(f.p503, 0.05);
        assert_eq!(f.latency, Duration::from_millis(200));
        assert_eq!(f.expire_tokens, Some(Duration::from_secs(30)));
        assert_eq!(f.expand_500, Some(25));
        assert_eq!(f.burst_429, 3);
        assert!(!f.is_none());
    }

    #[test]
    fn normalize_comments_is_a_switch_that_round_trips() {
        let f = FaultSpec::parse("normalize-comments=1").unwrap();
        assert!(f.normalize_comments && !f.is_none());
        assert_eq!(FaultSpec::parse(&f.to_string()).unwrap(), f);
        assert!(FaultSpec::parse("normalize-comments=maybe").is_err());
        assert_eq!(
            normalize_comment("a  \r\nb\t\r\rc\n\n"),
            "a\nb\n\nc".to_string()
        );
    }

    #[test]
    fn errors_name_the_term() {
        let e = FaultSpec::parse("429=0.2,bogus=1").unwrap_err();
        assert!(e.contains("bogus=1"), "{e}");
        let e = FaultSpec::parse("500=2").unwrap_err();
        assert!(e.contains("500=2"), "{e}");
        let e = FaultSpec::parse("latency=200").unwrap_err();
        assert!(e.contains("latency=200"), "{e}");
    }

    #[test]
    fn empty_and_none_are_default() {
        assert!(FaultSpec::parse("").unwrap().is_none());
        assert!(FaultSpec::parse("none").unwrap().is_none());
        assert_eq!(
            FaultSpec::parse("retry-after=2.5")
                .unwrap()
                .retry_after_header(),
            "2.500"
        );
    }

    #[test]
    fn display_round_trips() {
        let f = FaultSpec::parse("429=0.5,latency=20ms,expand-500=10").unwrap();
        assert_eq!(FaultSpec::parse(&f.to_string()).unwrap(), f);
    }
}
