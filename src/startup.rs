//! Wiring: the state every request handler can reach, and the application
//! built from settings (database connected and migrated, server key loaded,
//! listener bound, background jobs started). Uses every other module; only
//! `main` and the tests use it.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web as aweb};
use anyhow::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::gate::Gates;
use crate::keys::{Keys, random_hex};
use crate::store::Db;
use crate::{app, store, web};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// The database.
    pub db: Db,
    /// The server key.
    pub keys: Keys,
    /// Wakes the background job runner when work is queued.
    pub jobs: app::jobs::Wakeup,
    /// Now and today (pinned in tests).
    pub clock: Clock,
    /// Bounds on expensive work anonymous clients can start.
    pub gates: Gates,
    /// Sends the outbox's e-mail.
    pub mailer: Arc<app::mail::Mailer>,
}

impl AppState {
    /// Builds the state (and the mail transport the settings ask for).
    pub fn new(config: Arc<Config>, db: Db, keys: Keys, clock: Clock) -> anyhow::Result<Self> {
        let gates = Gates::new(config.max_password_checks, config.max_uploads);
        let mailer = Arc::new(app::mail::Mailer::new(&config.mail, &config.public_url)?);
        Ok(Self { config, db, keys, jobs: app::jobs::Wakeup::default(), clock, gates, mailer })
    }

    /// What the use cases need.
    pub fn ctx(&self) -> app::Ctx<'_> {
        app::Ctx { db: &self.db, clock: &self.clock, keys: &self.keys, config: &self.config, jobs: &self.jobs }
    }

    /// What the background jobs need.
    pub fn jobs_context(&self) -> app::jobs::JobContext {
        app::jobs::JobContext {
            db: self.db.clone(),
            clock: self.clock.clone(),
            config: self.config.clone(),
            wakeup: self.jobs.clone(),
            keys: self.keys.clone(),
            mailer: self.mailer.clone(),
        }
    }
}

/// Largest body of any request that is not a multipart upload.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A built application: bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    jobs: Option<app::jobs::Runner>,
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
        None => db
            .write(|conn| Ok(store::secrets::get_or_create(conn, "form_key", || random_hex(32))?))
            .await
            .map_err(|e| anyhow::anyhow!("could not load the server key: {e:?}"))?,
    };
    Ok((db, Keys::from_hex(&key_hex).context("FRONTLINE_SECRET_KEY")?))
}

impl Application {
    /// Connects, migrates, binds `config.bind` (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::system()).await
    }

    /// [`Application::build`] with the clock every rule reads (tests pin it).
    pub async fn build_with_clock(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let (db, keys) = connect(&config).await?;
        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("could not listen on {}", config.bind))?;
        let local = listener.local_addr()?;
        let port = local.port();
        let mut config = config;
        if config.public_url.is_empty() {
            // Links in e-mail point at this server as it listens.
            let host = if local.ip().is_unspecified() { "localhost".to_owned() } else { local.ip().to_string() };
            let host = if local.is_ipv6() && host != "localhost" { format!("[{host}]") } else { host };
            config.public_url = format!("http://{host}:{port}");
        }
        let state = AppState::new(Arc::new(config), db, keys, clock)?;
        let server = build_server(listener, state.clone())?;
        // Jobs queued before this start (or by a stopped instance) run now.
        let jobs = state.config.run_jobs.then(|| app::jobs::Runner::start(state.jobs_context()));
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
            .wrap(actix_web::middleware::from_fn(web::middleware::head_as_get))
            .wrap(actix_web::middleware::from_fn(web::middleware::language))
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
            // Outside the error pages, so what they send is compressed too.
            .wrap(actix_web::middleware::Compress::default())
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
