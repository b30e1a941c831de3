//! Copy to the clipboard over SSH (OSC 52 reaches the analyst's local terminal).
//!
//! The text is sanitised first ([`crate::ui::sanitize::sanitize_multiline`]: line breaks stay,
//! as a copied hunting query or inquiry needs them; every other control character, escape
//! sequence or bidi override becomes a visible escape), so nothing copied can carry terminal
//! or shell control sequences. Then, in order:
//! 1. a configured command (argv, no shell), for example `["wl-copy"]`;
//! 2. inside tmux (`TMUX` set): `tmux load-buffer -w -` with the text on stdin, and an OSC 52
//!    sequence as well;
//! 3. OSC 52 (`ESC ] 52 ; c ; base64 ESC \`) written to the terminal writer.
//!
//! The method used is returned so the UI can say "Copied … via OSC 52".

use std::fmt;
use std::io::{self, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crossterm::QueueableCommand;
use crossterm::clipboard::CopyToClipboard;

use super::sanitize::sanitize_multiline;

/// Largest text sent through OSC 52 (the base64 payload is a third larger); many terminals and
/// tmux drop longer sequences.
pub const OSC52_MAX_BYTES: usize = 74_000;

/// How long a clipboard command may run before it is killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// How the text reached the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyMethod {
    /// An OSC 52 escape sequence to the terminal.
    Osc52,
    /// `tmux load-buffer -w -` (OSC 52 was sent too).
    Tmux,
    /// The configured command, by program name.
    Command(String),
}

impl fmt::Display for CopyMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyMethod::Osc52 => f.write_str("OSC 52"),
            CopyMethod::Tmux => f.write_str("tmux"),
            CopyMethod::Command(p) => write!(f, "{p}"),
        }
    }
}

/// Runs `argv` with `input` on stdin; injectable for tests.
pub type Runner<'a> = dyn FnMut(&[String], &[u8]) -> Result<(), String> + 'a;

/// Copies `text` using the real process runner; see the module docs for the order.
/// `command` is an optional configured argv; `out` receives the OSC 52 sequence.
pub fn copy(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    command: Option<&[String]>,
    out: &mut dyn Write,
) -> Result<CopyMethod, String> {
    copy_with(text, env, command, out, &mut run_with_stdin)
}

/// [`copy`] with an injected command runner.
pub fn copy_with(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    command: Option<&[String]>,
    out: &mut dyn Write,
    runner: &mut Runner<'_>,
) -> Result<CopyMethod, String> {
    let clean = sanitize_multiline(text);
    let bytes = clean.as_bytes();
    let mut errors = Vec::new();

    if let Some(argv) = command.filter(|a| !a.is_empty()) {
        match runner(argv, bytes) {
            Ok(()) => return Ok(CopyMethod::Command(argv[0].clone())),
            Err(e) => errors.push(format!("{}: {e}", argv[0])),
        }
    }

    if env("TMUX").is_some_and(|v| !v.is_empty()) {
        let argv: Vec<String> = ["tmux", "load-buffer", "-w", "-"]
            .map(String::from)
            .to_vec();
        let tmux = runner(&argv, bytes);
        // Also tell the outer terminal directly, in case tmux's set-clipboard is off.
        let osc = write_osc52(out, bytes);
        match (tmux, osc) {
            (Ok(()), _) => return Ok(CopyMethod::Tmux),
            (Err(_), Ok(())) => return Ok(CopyMethod::Osc52),
            (Err(a), Err(b)) => {
                errors.push(format!("tmux: {a}"));
                errors.push(b);
                return Err(errors.join("; "));
            }
        }
    }

    match write_osc52(out, bytes) {
        Ok(()) => Ok(CopyMethod::Osc52),
        Err(e) => {
            errors.push(e);
            Err(errors.join("; "))
        }
    }
}

/// Writes the OSC 52 sequence for `bytes` and flushes.
fn write_osc52(out: &mut dyn Write, bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > OSC52_MAX_BYTES {
        return Err(format!(
            "OSC 52: text too long ({} bytes, limit {OSC52_MAX_BYTES})",
            bytes.len()
        ));
    }
    let mut w = DynWriter(out);
    w.queue(CopyToClipboard::to_clipboard_from(bytes))
        .and_then(|w| w.flush())
        .map_err(|e| format!("OSC 52: {e}"))
}

/// Adapter so crossterm's `QueueableCommand` (which needs a sized writer) works on `dyn Write`.
struct DynWriter<'a>(&'a mut dyn Write);

impl Write for DynWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Runs `argv` (no shell, no secret variables in its environment) with `input` on stdin,
/// output discarded, killed after [`COMMAND_TIMEOUT`].
pub fn run_with_stdin(argv: &[String], input: &[u8]) -> Result<(), String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let mut child = crate::child_process::command(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that exits early closes the pipe; its exit status tells the story.
        let _ = stdin.write_all(input);
    }
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("exited with {status}")),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("timed out".into());
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    /// Decodes the payload of the single OSC 52 sequence in `out`.
    fn osc52_payload(out: &[u8]) -> Vec<u8> {
        let s = std::str::from_utf8(out).unwrap();
        let body = s.strip_prefix("\x1b]52;c;").unwrap();
        let b64 = body.strip_suffix("\x1b\\").unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    }

    #[test]
    fn osc52_outside_tmux_and_sanitised() {
        let mut out = Vec::new();
        let mut calls = 0;
        let mut runner = |_: &[String], _: &[u8]| -> Result<(), String> {
            calls += 1;
            Ok(())
        };
        let m = copy_with("url\x1b]0;x\x07", &env_of(&[]), None, &mut out, &mut runner).unwrap();
        assert_eq!(m, CopyMethod::Osc52);
        assert_eq!(calls, 0);
        assert_eq!(osc52_payload(&out), b"url\\x1b]0;x\\x07");
    }

    /// A multi-line text (a hunting query, an inquiry for the portal) keeps its line breaks;
    /// carriage returns and escapes on any line are still made visible.
    #[test]
    fn line_breaks_are_kept_and_other_controls_escaped() {
        let mut out = Vec::new();
        let mut runner = |_: &[String], _: &[u8]| -> Result<(), String> { Ok(()) };
        let query = "DeviceEvents\r\n| where X == 1\n| take 10\x1b[2J";
        copy_with(query, &env_of(&[]), None, &mut out, &mut runner).unwrap();
        assert_eq!(
            osc52_payload(&out),
            b"DeviceEvents\n| where X == 1\n| take 10\\x1b[2J"
        );
        let mut piped = Vec::new();
        let mut runner = |_: &[String], input: &[u8]| -> Result<(), String> {
            piped = input.to_vec();
            Ok(())
        };
        copy_with(
            "a\nb",
            &env_of(&[("TMUX", "/tmp/tmux-0/default,1,0")]),
            None,
            &mut Vec::new(),
            &mut runner,
        )
        .unwrap();
        assert_eq!(piped, b"a\nb");
    }

    #[test]
    fn tmux_load_buffer_and_osc52() {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        let mut runner = |argv: &[String], input: &[u8]| -> Result<(), String> {
            seen.push((argv.to_vec(), input.to_vec()));
            Ok(())
        };
        let env = env_of(&[("TMUX", "/tmp/tmux-0/default,1,0")]);
        let m = copy_with("id 123", &env, None, &mut out, &mut runner).unwrap();
        assert_eq!(m, CopyMethod::Tmux);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, ["tmux", "load-buffer", "-w", "-"]);
        assert_eq!(seen[0].1, b"id 123");
        assert_eq!(osc52_payload(&out), b"id 123");
    }

    #[test]
    fn tmux_failure_falls_back_to_osc52() {
        let mut out = Vec::new();
        let mut runner = |_: &[String], _: &[u8]| -> Result<(), String> { Err("no tmux".into()) };
        let env = env_of(&[("TMUX", "x")]);
        let m = copy_with("a", &env, None, &mut out, &mut runner).unwrap();
        assert_eq!(m, CopyMethod::Osc52);
    }

    #[test]
    fn configured_command_first_then_fallback() {
        let mut out = Vec::new();
        let cmd = vec!["wl-copy".to_string()];
        let mut ok = |_: &[String], _: &[u8]| -> Result<(), String> { Ok(()) };
        let m = copy_with("a", &env_of(&[]), Some(&cmd), &mut out, &mut ok).unwrap();
        assert_eq!(m, CopyMethod::Command("wl-copy".into()));
        assert!(out.is_empty());
        let mut fail = |_: &[String], _: &[u8]| -> Result<(), String> { Err("gone".into()) };
        let m = copy_with("a", &env_of(&[]), Some(&cmd), &mut out, &mut fail).unwrap();
        assert_eq!(m, CopyMethod::Osc52);
    }

    #[test]
    fn too_long_for_osc52_is_an_error() {
        let mut out = Vec::new();
        let big = "x".repeat(OSC52_MAX_BYTES + 1);
        let mut runner = |_: &[String], _: &[u8]| -> Result<(), String> { Ok(()) };
        let e = copy_with(&big, &env_of(&[]), None, &mut out, &mut runner).unwrap_err();
        assert!(e.contains("too long"), "{e}");
        assert!(out.is_empty());
    }

    #[test]
    fn real_command_receives_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("clip");
        let argv = vec![
            "sh".to_string(),
            "-c".to_string(),
            "cat > \"$0\"".to_string(),
            file.display().to_string(),
        ];
        let mut out = Vec::new();
        let m = copy("evil\u{202E}txt", &env_of(&[]), Some(&argv), &mut out).unwrap();
        assert_eq!(m, CopyMethod::Command("sh".into()));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "evil<U+202E>txt");
        assert!(run_with_stdin(&["false".to_string()], b"").is_err());
        assert!(run_with_stdin(&["/nonexistent/prog".to_string()], b"").is_err());
    }
}
