//! Simulated Entra ID token endpoints: client credentials (secret or assertion), device
//! code, refresh token; plus bearer-token validation for the Graph routes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng;
use serde_json::{Value, json};

use super::state::{DeviceCode, Identity, Shared, Token, lock};

/// User signed in through the device-code flow.
pub const DELEGATED_USER: &str = "demo.analyst@contoso.com";
const DEVICE_CODE_LIFETIME: u64 = 900;
/// Seconds between device-code polls (kept short so tests stay fast).
pub const DEVICE_CODE_INTERVAL: u64 = 1;
const GRANT_DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn entra_error(status: StatusCode, error: &str, code: u32, desc: &str) -> Response {
    let trace = uuid::Uuid::new_v4().to_string();
    let corr = uuid::Uuid::new_v4().to_string();
    let ts = jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%SZ")
        .to_string();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {desc} Trace ID: {trace} Correlation ID: {corr} Timestamp: {ts}"),
        "error_codes": [code],
        "timestamp": ts,
        "trace_id": trace,
        "correlation_id": corr,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store, no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn ok_json(v: Value) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store, no-cache"),
        ],
        v.to_string(),
    )
        .into_response()
}

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill(&mut b[..]);
    URL_SAFE_NO_PAD.encode(b)
}

fn tenant_ok(shared: &Shared, tenant: &str, allow_common: bool) -> bool {
    tenant.eq_ignore_ascii_case(&shared.cfg.tenant_id)
        || tenant.eq_ignore_ascii_case("contoso.onmicrosoft.com")
        || (allow_common && (tenant == "common" || tenant == "organizations"))
}

fn issue(shared: &Shared, identity: Identity, with_refresh: bool, scope: &str) -> Response {
    let access = random_token(48);
    let now = Instant::now();
    let life = shared.cfg.token_lifetime;
    let mut auth = lock(&shared.auth);
    auth.tokens.retain(|_, t| t.expires > now);
    auth.tokens.insert(
        access.clone(),
        Token {
            identity: identity.clone(),
            issued: now,
            expires: now + life,
        },
    );
    let mut v = json!({
        "token_type": "Bearer",
        "expires_in": life.as_secs(),
        "ext_expires_in": life.as_secs(),
        "access_token": access,
    });
    if with_refresh {
        let rt = random_token(64);
        auth.refresh.insert(rt.clone(), identity);
        v["scope"] = json!(scope);
        v["refresh_token"] = json!(rt);
    }
    ok_json(v)
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&shared.stats).token_requests += 1;
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    if !tenant_ok(&shared, &tenant, grant != "client_credentials") {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    // client_id may come from HTTP Basic together with the secret.
    let basic = basic_auth(&headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.0.clone()))
        .unwrap_or_default();
    if grant.is_empty() {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    }
    if client_id.is_empty() {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    if client_id != shared.cfg.client_id {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory 'Contoso'."
            ),
        );
    }
    match grant {
        "client_credentials" => client_credentials(&shared, &tenant, &form, basic),
        GRANT_DEVICE => device_poll(&shared, &form),
        "refresh_token" => refresh(&shared, &form),
        other => entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

fn basic_auth(h: &HeaderMap) -> Option<(String, String)> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v.strip_prefix("Basic ")?;
    let dec = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (u, p) = dec.split_once(':')?;
    Some((
        url::form_urlencoded::parse(format!("u={u}").as_bytes())
            .next()?
            .1
            .into_owned(),
        url::form_urlencoded::parse(format!("p={p}").as_bytes())
            .next()?
            .1
            .into_owned(),
    ))
}

fn client_credentials(
    shared: &Shared,
    tenant: &str,
    form: &HashMap<String, String>,
    basic: Option<(String, String)>,
) -> Response {
    let scope = form.get("scope").map(String::as_str).unwrap_or("");
    if scope.is_empty() {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    }
    if scope.split_whitespace().count() != 1 || !scope.ends_with("/.default") {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    }
    let secret = form.get("client_secret").cloned().or(basic.map(|b| b.1));
    if let Some(secret) = secret {
        if secret != shared.cfg.client_secret {
            return entra_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
            );
        }
    } else if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                700024,
                "The client_assertion_type parameter must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
            );
        }
        if let Err((code, msg)) = check_assertion(assertion, &shared.cfg.client_id, tenant) {
            return entra_error(StatusCode::UNAUTHORIZED, "invalid_client", code, &msg);
        }
    } else {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    }
    let identity = Identity {
        name: shared.cfg.client_id.clone(),
        delegated: false,
    };
    issue(shared, identity, false, scope)
}

/// Structural check of a `client_assertion` JWT (signature is not verified).
pub fn check_assertion(jwt: &str, client_id: &str, tenant: &str) -> Result<(), (u32, String)> {
    let malformed = |why: &str| {
        (
            50027,
            format!("JWT token is invalid or is malformed: {why}."),
        )
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(malformed("expected three dot-separated parts"));
    }
    let decode = |p: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok()?).ok()
    };
    let hdr = decode(parts[0]).ok_or_else(|| malformed("header is not base64url JSON"))?;
    let claims = decode(parts[1]).ok_or_else(|| malformed("payload is not base64url JSON"))?;
    if URL_SAFE_NO_PAD
        .decode(parts[2].trim_end_matches('='))
        .is_err()
    {
        return Err(malformed("signature is not base64url"));
    }
    match hdr.get("alg").and_then(Value::as_str) {
        Some("PS256" | "RS256") => {}
        other => {
            return Err((
                5002738,
                format!(
                    "Invalid JWT token. '{}' is not a supported signature algorithm.",
                    other.unwrap_or("none")
                ),
            ));
        }
    }
    if hdr.get("x5t#S256").is_none() && hdr.get("x5t").is_none() {
        return Err((700027, "Client assertion failed signature validation. The header has no x5t or x5t#S256 thumbprint.".into()));
    }
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if s("iss") != client_id || s("sub") != client_id {
        return Err((
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.".into(),
        ));
    }
    let aud = s("aud");
    let suffix = format!("/{tenant}/oauth2/v2.0/token");
    if !aud
        .to_ascii_lowercase()
        .ends_with(&suffix.to_ascii_lowercase())
    {
        return Err((
            700023,
            format!(
                "Client assertion audience claim does not match Realm issuer. Review the documentation at https://aka.ms/certCreds . Audience was '{aud}'."
            ),
        ));
    }
    let now = jiff::Timestamp::now().as_second();
    let exp = claims.get("exp").and_then(Value::as_i64);
    let nbf = claims.get("nbf").and_then(Value::as_i64).unwrap_or(now);
    match exp {
        Some(e) if e > now && nbf <= now + 300 => Ok(()),
        Some(_) => Err((
            700024,
            "Client assertion is not within its valid time range.".into(),
        )),
        None => Err(malformed("the 'exp' claim is missing")),
    }
}

fn device_poll(shared: &Shared, form: &HashMap<String, String>) -> Response {
    let Some(code) = form.get("device_code") else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'device_code'.",
        );
    };
    let now = Instant::now();
    let auto = shared.cfg.auto_approve_device_code;
    let scope;
    {
        let mut auth = lock(&shared.auth);
        let Some(dc) = auth.device_codes.get_mut(code) else {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "bad_verification_code",
                70000,
                "The provided value for the input parameter 'device_code' is not valid.",
            );
        };
        if now >= dc.expires {
            auth.device_codes.remove(code);
            return entra_error(
                StatusCode::BAD_REQUEST,
                "expired_token",
                70020,
                "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            );
        }
        let too_fast = dc
            .last_poll
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(dc.interval_secs * 800));
        dc.last_poll = Some(now);
        dc.polls += 1;
        if too_fast {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "slow_down",
                70016,
                "OAuth 2.0 device flow error. Polling too frequently; increase the interval.",
            );
        }
        if auto && dc.polls >= 2 {
            dc.approved = true;
        }
        if !dc.approved {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            );
        }
        scope = dc.scope.clone();
        auth.device_codes.remove(code);
    }
    let identity = Identity {
        name: DELEGATED_USER.into(),
        delegated: true,
    };
    issue(shared, identity, true, &scope)
}

fn refresh(shared: &Shared, form: &HashMap<String, String>) -> Response {
    let Some(rt) = form.get("refresh_token") else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'refresh_token'.",
        );
    };
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        );
    }
    let identity = lock(&shared.auth).refresh.get(rt).cloned();
    match identity {
        Some(id) => {
            let scope = form
                .get("scope")
                .cloned()
                .unwrap_or_else(|| "https://graph.microsoft.com/.default offline_access".into());
            issue(shared, id, true, &scope)
        }
        None => entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ),
    }
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub async fn devicecode(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&shared.stats).token_requests += 1;
    if !tenant_ok(&shared, &tenant, true) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let client_id = form.get("client_id").map(String::as_str).unwrap_or("");
    if client_id != shared.cfg.client_id {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory 'Contoso'."
            ),
        );
    }
    let scope = form.get("scope").cloned().unwrap_or_default();
    if scope.trim().is_empty() {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    }
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut rng = rand::rng();
    let mut user_code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            user_code.push('-');
        }
        user_code.push(char::from(LETTERS[rng.random_range(0..LETTERS.len())]));
    }
    let device_code = random_token(96);
    lock(&shared.auth).device_codes.insert(
        device_code.clone(),
        DeviceCode {
            user_code: user_code.clone(),
            scope,
            expires: Instant::now() + Duration::from_secs(DEVICE_CODE_LIFETIME),
            interval_secs: DEVICE_CODE_INTERVAL,
            last_poll: None,
            polls: 0,
            approved: false,
        },
    );
    let uri = format!(
        "{}/_sim/device",
        super::http::base_of(&headers, &shared.base_url())
    );
    ok_json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": DEVICE_CODE_LIFETIME,
        "interval": DEVICE_CODE_INTERVAL,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    }))
}

/// Approves a pending device code by its user code (case and dash insensitive).
pub fn approve(shared: &Shared, user_code: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase()
    };
    let want = norm(user_code);
    if want.is_empty() {
        return false;
    }
    let now = Instant::now();
    let mut auth = lock(&shared.auth);
    let mut found = false;
    for dc in auth.device_codes.values_mut() {
        if norm(&dc.user_code) == want && dc.expires > now {
            dc.approved = true;
            found = true;
        }
    }
    found
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub async fn openid(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let base = super::http::base_of(&headers, &shared.base_url());
    let tid = if tenant_ok(&shared, &tenant, true) {
        shared.cfg.tenant_id.clone()
    } else {
        "{tenantid}".into()
    };
    ok_json(json!({
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "name", "preferred_username", "oid", "tid"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
    }))
}

/// Why a bearer token was refused.
pub enum BearerError {
    Missing,
    Invalid,
    Expired,
}

/// Validates `Authorization: Bearer …` for Graph routes.
pub fn check_bearer(shared: &Shared, headers: &HeaderMap) -> Result<Identity, BearerError> {
    let v = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let tok = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or("");
    if tok.is_empty() {
        return Err(BearerError::Missing);
    }
    let forced = lock(&shared.faults).spec.expire_tokens;
    let auth = lock(&shared.auth);
    let t = auth.tokens.get(tok).ok_or(BearerError::Invalid)?;
    let now = Instant::now();
    let dead = now >= t.expires || forced.is_some_and(|d| now.duration_since(t.issued) >= d);
    if dead {
        return Err(BearerError::Expired);
    }
    Ok(t.identity.clone())
}
