//! Dependencies with known advisories stay out of the build.

/// RUSTSEC-2023-0071 (Marvin timing side channel): the `rsa` crate must not be in the lock
/// file; certificate assertions are signed with aws-lc-rs.
#[test]
fn rsa_crate_is_not_in_the_lock_file() {
    let lock = include_str!("../Cargo.lock");
    let lock: toml::Table = toml::from_str(lock).unwrap();
    let names: Vec<&str> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
        .collect();
    assert!(names.contains(&"aws-lc-rs"), "the lock file was read");
    assert!(!names.contains(&"rsa"), "rsa is still a dependency");
}
