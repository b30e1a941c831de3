//! Diagnostics logging: `tracing` to a private, daily-rolling file (never to the terminal, which
//! belongs to the UI). Control characters in log lines are escaped so that untrusted text that
//! slips into a message cannot forge lines or drive a terminal that later shows the log.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::paths::{Paths, ensure_private_dir};

/// Environment variable with a `tracing` filter (e.g. `vigil=debug,reqwest=warn`).
pub const ENV_LOG: &str = "VIGIL_LOG";

/// Daily log files kept in `log_dir` (older ones are deleted when a new day starts).
const KEEP_DAYS: usize = 14;

/// Installs the global `tracing` subscriber. Filter: `level` (from `--log-level`) if given,
/// else `VIGIL_LOG`, else `info`. Output: `log_file` (from `--log-file`, appended, created
/// 0600) if given, else `paths.log_dir/vigil.YYYY-MM-DD.log` (UTC days, files 0600, directory
/// 0700). Keep the returned guard alive until exit; dropping it flushes the log.
pub fn init(
    paths: &Paths,
    level: Option<&str>,
    log_file: Option<&Path>,
) -> anyhow::Result<WorkerGuard> {
    let filter = build_filter(level, std::env::var(ENV_LOG).ok().as_deref())?;
    let writer: Box<dyn Write + Send> = match log_file {
        Some(path) => Box::new(Sanitizing(
            open_private_append(path)
                .with_context(|| format!("cannot open log file {}", path.display()))?,
        )),
        None => {
            ensure_private_dir(&paths.log_dir).with_context(|| {
                format!("cannot create log directory {}", paths.log_dir.display())
            })?;
            Box::new(Sanitizing(DailyFile::new(paths.log_dir.clone(), "vigil")))
        }
    };
    let (non_blocking, guard) = tracing_appender::non_blocking(writer);
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(non_blocking)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .context("a tracing subscriber is already installed")?;
    Ok(guard)
}

/// The filter from the explicit level, else the environment directive, else `info`.
fn build_filter(level: Option<&str>, env_directive: Option<&str>) -> anyhow::Result<EnvFilter> {
    let directive = level
        .or(env_directive.filter(|s| !s.trim().is_empty()))
        .unwrap_or("info");
    EnvFilter::try_new(directive).with_context(|| format!("invalid log filter {directive:?}"))
}

fn open_private_append(path: &Path) -> io::Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// A writer that escapes control characters (except tab and the final newline) and bidi
/// overrides in each write. `tracing_appender`'s worker writes one event per call.
struct Sanitizing<W>(W);

impl<W: Write> Write for Sanitizing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut out = String::with_capacity(text.len() + 1);
        let body = text.strip_suffix('\n');
        for c in body.unwrap_or(&text).chars() {
            if c == '\t' || !(c.is_control() || is_bidi_control(c)) {
                out.push(c);
            } else {
                out.extend(c.escape_default());
            }
        }
        if body.is_some() {
            out.push('\n');
        }
        self.0.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Appends to `dir/PREFIX.YYYY-MM-DD.log`, switching files when the UTC date changes.
struct DailyFile {
    dir: PathBuf,
    prefix: &'static str,
    current: Option<(jiff::civil::Date, File)>,
}

impl DailyFile {
    fn new(dir: PathBuf, prefix: &'static str) -> Self {
        Self {
            dir,
            prefix,
            current: None,
        }
    }

    fn file_name(&self, day: jiff::civil::Date) -> String {
        format!("{}.{day}.log", self.prefix)
    }

    fn file_for(&mut self, day: jiff::civil::Date) -> io::Result<&mut File> {
        let stale = self.current.as_ref().is_none_or(|(d, _)| *d != day);
        if stale {
            let file = open_private_append(&self.dir.join(self.file_name(day)))?;
            self.current = Some((day, file));
            self.prune();
        }
        match &mut self.current {
            Some((_, f)) => Ok(f),
            None => Err(io::Error::other("log file not open")),
        }
    }

    /// Deletes all but the newest `KEEP_DAYS` files named like ours.
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut ours: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| is_daily_name(n, self.prefix))
            .collect();
        ours.sort();
        let excess = ours.len().saturating_sub(KEEP_DAYS);
        for name in &ours[..excess] {
            let _ = fs::remove_file(self.dir.join(name));
        }
    }
}

fn is_daily_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".log"))
        .is_some_and(|d| d.parse::<jiff::civil::Date>().is_ok())
}

fn today_utc() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

impl Write for DailyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file_for(today_utc())?.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.current {
            Some((_, f)) => f.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_escapes_controls_but_keeps_final_newline() {
        let mut out = Vec::new();
        Sanitizing(&mut out)
            .write_all(b"title \x1b[31mred\r\nforged\x07\tok\n")
            .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "title \\u{1b}[31mred\\r\\nforged\\u{7}\tok\n");
    }

    #[test]
    fn sanitizer_escapes_bidi_and_c1() {
        let mut out = Vec::new();
        Sanitizing(&mut out)
            .write_all("a\u{202E}b\u{9b}c".as_bytes())
            .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains('\u{202E}') && !s.contains('\u{9b}'), "{s}");
        assert!(s.starts_with('a') && s.ends_with('c'));
    }

    #[test]
    fn filter_precedence() {
        // An invalid env directive is ignored when an explicit level is given.
        assert!(build_filter(Some("debug"), Some("not a [valid")).is_ok());
        assert!(build_filter(None, Some("not a [valid")).is_err());
        assert!(build_filter(None, None).is_ok());
    }

    #[test]
    fn daily_names() {
        assert!(is_daily_name("vigil.2026-11-01.log", "vigil"));
        assert!(!is_daily_name("vigil.2026-13-01.log", "vigil"));
        assert!(!is_daily_name("other.2026-11-01.log", "vigil"));
        assert!(!is_daily_name("notes.txt", "vigil"));
    }

    #[cfg(unix)]
    #[test]
    fn daily_file_is_private_and_prunes_old_days() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        ensure_private_dir(&logs).unwrap();
        let d0: jiff::civil::Date = "2026-01-01".parse().unwrap();
        for i in 0..20 {
            let day = d0.checked_add(jiff::Span::new().days(i)).unwrap();
            fs::write(logs.join(format!("vigil.{day}.log")), b"old").unwrap();
        }
        fs::write(logs.join("keep-me.txt"), b"x").unwrap();
        let mut w = DailyFile::new(logs.clone(), "vigil");
        let today: jiff::civil::Date = "2026-02-01".parse().unwrap();
        w.file_for(today).unwrap().write_all(b"line\n").unwrap();
        w.flush().unwrap();

        let path = logs.join("vigil.2026-02-01.log");
        assert_eq!(fs::read_to_string(&path).unwrap(), "line\n");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = fs::metadata(&logs).unwrap().permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);
        let mut daily: Vec<_> = fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| is_daily_name(n, "vigil"))
            .collect();
        daily.sort();
        assert_eq!(daily.len(), KEEP_DAYS);
        assert_eq!(daily.last().unwrap(), "vigil.2026-02-01.log");
        assert!(logs.join("keep-me.txt").exists());
    }
}
