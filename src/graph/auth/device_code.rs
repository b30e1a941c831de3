//! Device authorization grant (RFC 8628 as implemented by Entra ID).

use super::{Authenticator, DevicePrompt, clamp_u32, reword, secs_of, str_of};
use crate::graph::error::{ErrorKind, GraphError, log_safe};

impl Authenticator {
    /// Device authorization grant: requests a code, calls `on_prompt` once, then polls until the
    /// user signs in (or declines / the code expires). Stores the access and refresh tokens.
    pub async fn device_code_login(
        &self,
        on_prompt: impl FnOnce(&DevicePrompt),
    ) -> Result<(), GraphError> {
        let scope = self.delegated_scope();
        let start = self
            .post_form(
                "devicecode",
                &[
                    ("client_id", self.cfg.client_id.as_str()),
                    ("scope", scope.as_str()),
                ],
            )
            .await?;
        let device_code = str_of(&start, "device_code").ok_or_else(|| {
            GraphError::new(ErrorKind::Auth, "devicecode response lacks device_code")
        })?;
        let prompt = DevicePrompt {
            user_code: str_of(&start, "user_code").unwrap_or_default(),
            verification_uri: str_of(&start, "verification_uri")
                .or_else(|| str_of(&start, "verification_url"))
                .unwrap_or_default(),
            message: str_of(&start, "message").unwrap_or_default(),
            expires_in: secs_of(&start, "expires_in").unwrap_or(900),
            interval: secs_of(&start, "interval").unwrap_or(5),
        };
        on_prompt(&prompt);
        let deadline = tokio::time::Instant::now()
            + self.poll_unit.saturating_mul(clamp_u32(prompt.expires_in));
        let mut interval = prompt.interval.max(1);
        loop {
            tokio::time::sleep(self.poll_unit.saturating_mul(clamp_u32(interval))).await;
            if tokio::time::Instant::now() >= deadline {
                return Err(GraphError::new(
                    ErrorKind::Auth,
                    "the device code expired before sign-in completed; run login again",
                )
                .with_code("expired_token"));
            }
            let form = [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", self.cfg.client_id.as_str()),
                ("device_code", device_code.as_str()),
            ];
            match self.post_form("token", &form).await {
                Ok(answer) => {
                    let mut st = self.state.lock().await;
                    st.cache_loaded = true;
                    self.store(&mut st, &answer)?;
                    self.save_cache(&st).await;
                    return Ok(());
                }
                Err(e) if e.code_is("authorization_pending") => {}
                Err(e) if e.code_is("slow_down") => interval += 5,
                Err(e) if matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout) => {
                    tracing::debug!(error = %log_safe(&e.to_string()), "device code poll failed; polling on");
                }
                Err(e) if e.code_is("authorization_declined") => {
                    return Err(reword(e, "sign-in was declined"));
                }
                Err(e) if e.code_is("expired_token") => {
                    return Err(reword(
                        e,
                        "the device code expired before sign-in completed; run login again",
                    ));
                }
                Err(e) if e.code_is("bad_verification_code") => {
                    return Err(reword(e, "the device code was not recognised by Entra ID"));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl DevicePrompt {
    /// "(waiting up to 15 minutes…)": how long the code stays valid, in seconds when under a
    /// minute and never rounded down to "0 minutes".
    pub fn waiting_text(&self) -> String {
        fn unit(n: u64, one: &str) -> String {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {one}s")
            }
        }
        let (mins, secs) = (self.expires_in / 60, self.expires_in % 60);
        let span = match (mins, secs) {
            (0, s) => unit(s, "second"),
            (m, 0) => unit(m, "minute"),
            (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
        };
        format!("(waiting up to {span}…)")
    }
}

#[cfg(test)]
mod waiting_tests {
    use super::DevicePrompt;

    fn prompt(expires_in: u64) -> DevicePrompt {
        DevicePrompt {
            user_code: "ABC".into(),
            verification_uri: "https://microsoft.com/devicelogin".into(),
            message: String::new(),
            expires_in,
            interval: 5,
        }
    }

    #[test]
    fn the_wait_is_said_in_seconds_under_a_minute_and_never_as_zero() {
        assert_eq!(prompt(45).waiting_text(), "(waiting up to 45 seconds…)");
        assert_eq!(prompt(1).waiting_text(), "(waiting up to 1 second…)");
        assert_eq!(prompt(60).waiting_text(), "(waiting up to 1 minute…)");
        assert_eq!(prompt(900).waiting_text(), "(waiting up to 15 minutes…)");
        assert_eq!(
            prompt(90).waiting_text(),
            "(waiting up to 1 minute 30 seconds…)"
        );
    }
}
