//! One vigil per profile: a second `vigil` on a profile whose database another one holds is
//! refused with a message that says so, and the first keeps running (real binary, two
//! processes in pseudo-terminals, isolated HOME/XDG directories).

mod support;

use support::pty::Pty;

#[test]
fn a_second_vigil_on_the_same_profile_is_refused_with_a_clear_message() {
    let home = tempfile::tempdir().unwrap();
    let mut first = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    first.wait_for("refreshed");

    let mut second = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    second.wait_for("another vigil is using this profile's database");
    let status = second.wait_exit();
    assert!(
        !status.success(),
        "the second vigil must not run: {status:?}"
    );
    let text = second.text();
    assert!(text.contains("vigil.db"), "names the file: {text}");
    assert!(text.contains("--profile"), "says what to do: {text}");

    // The first one is unaffected: still running, and it still answers keys.
    assert!(
        support::pty::proc_state(first.pid()).is_some_and(|s| s != 'Z'),
        "the first vigil is still running"
    );
    first.send("/zzz-no-such-incident\r");
    first.wait_for("filter: zzz-no-such-incident");
    first.signal("-TERM");
    first.wait_exit();

    // Once it is gone, the profile is free again.
    let mut third = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    third.wait_for("refreshed");
    third.signal("-TERM");
    third.wait_exit();
}
