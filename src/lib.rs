//! Frontline: a support-case intake and triage desk for a partner
//! programme's Frontline Support team. The binary is a thin CLI over this
//! library, so that tests drive the real application.

pub mod accounts;
pub mod checks;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod gate;
pub mod jobs;
pub mod store;
pub mod triage_service;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web as aweb};
use anyhow::Context;

use config::Config;
use store::Db;
use web::AppState;
use web::tokens::{Keys, random_hex};

/// Largest body of any request that is not a multipart upload.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A built application: bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    jobs: Option<jobs::Runner>,
}

/// Connects to the database (applying migrations) and loads the server key.
pub async fn connect(config: &Config) -> anyhow::Result<(Db, Keys)> {
    let url = config.database_url.clone();
    let pool_size = config.pool_size;
    let db = actix_web::rt::task::spawn_blocking(move || Db::connect(url, pool_size))
        .await
        .context("database start-up task failed")??;
    let key_hex = match std::env::var("FRONTLINE_SECRET_KEY").ok().filter(|k| !k.trim().is_empty()) {
        Some(k) => k,
        None => {
            let db2 = db.clone();
            actix_web::rt::task::spawn_blocking(move || {
                db2.write_blocking(|conn| Ok(store::secrets::get_or_create(conn, "form_key", || random_hex(32))?))
            })
            .await
            .context("key task failed")?
            .map_err(|e| anyhow::anyhow!("could not load the server key: {e:?}"))?
        }
    };
    Ok((db, Keys::from_hex(&key_hex).context("FRONTLINE_SECRET_KEY")?))
}

impl Application {
    /// Connects, migrates, binds `config.bind` (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, clock::Clock::system()).await
    }

    /// [`Application::build`] with the clock every rule reads (tests pin it).
    pub async fn build_with_clock(config: Config, clock: clock::Clock) -> anyhow::Result<Self> {
        let (db, keys) = connect(&config).await?;
        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("could not listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let state = AppState::new(Arc::new(config), db, keys, clock);
        let server = build_server(listener, state.clone())?;
        // Jobs queued before this start (or by a stopped instance) run now.
        let jobs = state.config.run_jobs.then(|| jobs::Runner::start(state.clone()));
        Ok(Self { port, server, state, jobs })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests read the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until stopped (SIGTERM / Ctrl-C stop it gracefully, finishing
    /// requests in flight), then stops the job runner.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(jobs) = self.jobs {
            jobs.stop().await;
        }
        served
    }
}

fn build_server(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let workers = state.config.workers;
    let data = aweb::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(aweb::PayloadConfig::new(DEFAULT_BODY_LIMIT))
            .app_data(aweb::FormConfig::default().limit(DEFAULT_BODY_LIMIT))
            .wrap(actix_web::middleware::from_fn(web::middleware::input_guard))
            .wrap(actix_web::middleware::from_fn(web::middleware::body_deadline))
            .wrap(web::error_handlers())
            .wrap(actix_web::middleware::from_fn(web::middleware::hsts))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                    )),
            )
            .wrap(tracing_actix_web::TracingLogger::<web::middleware::RouteSpan>::new())
            .configure(web::configure)
    })
    .shutdown_timeout(30)
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
