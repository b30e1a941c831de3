//! The one way vigil starts a child process: without the environment variables that hold a
//! client secret (`VIGIL_CLIENT_SECRET` and every `client_secret_env` the session read).

use std::ffi::OsStr;
use std::process::Command;
use std::sync::Mutex;

use crate::config::ENV_CLIENT_SECRET;

/// Names of environment variables read as secrets in this process (besides
/// `VIGIL_CLIENT_SECRET`, which is always withheld).
static SECRET_VARIABLES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records that the variable `name` holds a secret, so no child process inherits it.
pub fn withhold_variable(name: &str) {
    let mut names = SECRET_VARIABLES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

/// A [`Command`] for `program` that inherits the environment minus the secret variables.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove(ENV_CLIENT_SECRET);
    let names = SECRET_VARIABLES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for name in names.iter() {
        cmd.env_remove(name);
    }
    cmd
}
