//! Child processes vigil starts (the tmux clipboard child, a configured clipboard command) never
//! inherit the client secret: neither `VIGIL_CLIENT_SECRET` nor the profile's `client_secret_env`.
//!
//! One test in its own binary: it sets process environment variables, which is only sound
//! while no other test thread reads the environment.

use vigil::config::{self, AuthKind};
use vigil::start::launch;
use vigil::ui::clipboard::run_with_stdin;

#[test]
fn clipboard_child_does_not_inherit_secret_variables() {
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("VIGIL_CLIENT_SECRET", "vigil-secret-value-1");
        std::env::set_var("CONTOSO_GRAPH_SECRET", "profile-secret-value-2");
        std::env::set_var("CHILD_ENV_CONTROL", "still-inherited-3");
    }
    let cfg: config::Config = toml::from_str(
        "[profiles.contoso]\ntenant_id = \"t\"\nclient_id = \"c\"\n\
         client_secret_env = \"CONTOSO_GRAPH_SECRET\"\n",
    )
    .unwrap();
    // The profile reads its secret from CONTOSO_GRAPH_SECRET (VIGIL_CLIENT_SECRET left out of
    // the lookup so that it does not take precedence).
    let env = |k: &str| {
        (k != config::ENV_CLIENT_SECRET)
            .then(|| std::env::var(k).ok())
            .flatten()
    };
    let profile = config::resolve_profile(Some(&cfg), Some("contoso"), &env).unwrap();
    assert_eq!(profile.auth, AuthKind::ClientSecret);
    launch::credential_for(&profile).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("env.txt");
    let argv = [
        "sh".to_string(),
        "-c".to_string(),
        "env > \"$0\"".to_string(),
        out.display().to_string(),
    ];
    run_with_stdin(&argv, b"").unwrap();
    let seen = std::fs::read_to_string(&out).unwrap();
    assert!(
        seen.contains("CHILD_ENV_CONTROL=still-inherited-3"),
        "{seen}"
    );
    assert!(!seen.contains("vigil-secret-value-1"), "{seen}");
    assert!(!seen.contains("VIGIL_CLIENT_SECRET"), "{seen}");
    assert!(!seen.contains("profile-secret-value-2"), "{seen}");
    assert!(!seen.contains("CONTOSO_GRAPH_SECRET"), "{seen}");
}
