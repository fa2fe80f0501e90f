//! `frontline`: serve the app, apply migrations, manage staff accounts.

use clap::{Parser, Subcommand};

use frontline::Application;
use frontline::config::Config;

#[derive(Parser)]
#[command(name = "frontline", version, about = "Support-case intake and triage desk")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FRONTLINE_BIND", default_value = "127.0.0.1:8080", global = true)]
    bind: String,
    /// SQLite path, sqlite://PATH, or postgres://… URL.
    #[arg(long, env = "DATABASE_URL", default_value = "frontline.db", global = true)]
    database_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
}

#[derive(Subcommand)]
enum StaffAction {
    /// Create an account; the password is read from standard input (12 characters or more).
    Create {
        /// Sign-in e-mail.
        #[arg(long)]
        email: String,
        /// Name shown to colleagues.
        #[arg(long)]
        name: String,
        /// admin or agent.
        #[arg(long, value_parser = ["admin", "agent"])]
        role: String,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions at once.
    Disable {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn staff_command(config: &Config, action: StaffAction) -> anyhow::Result<()> {
    use frontline::app::accounts;
    let (db, _) = frontline::startup::connect(config).await?;
    match action {
        StaffAction::Create { email, name, role } => {
            let password = actix_web::rt::task::spawn_blocking(read_password).await??;
            let clock = frontline::clock::Clock::system();
            let gate = frontline::gate::Gates::new(1, 1).passwords;
            let new = accounts::NewAccount { email: &email, name: &name, role: &role, password: &password };
            let id = accounts::create(&db, &clock, &gate, new).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Created staff account {id} for {}", email.trim().to_lowercase());
        }
        StaffAction::List => {
            for s in accounts::list(&db).await.map_err(|e| anyhow::anyhow!("{e:?}"))? {
                let state = if s.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{}\t{}", s.id, s.email, s.name, s.role, state);
            }
        }
        StaffAction::Disable { email } => {
            let s = accounts::disable_by_email(&db, &email).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Disabled {} and ended their sessions", s.email);
        }
    }
    Ok(())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

/// Keeps freed memory from piling up in glibc's allocator: large blocks (a
/// password hash's 19 MiB, an upload's megabytes) are mapped and unmapped
/// each time instead of being kept in a per-thread arena once glibc's
/// adaptive threshold has grown past them. Measured with 128 concurrent
/// sign-ins: peak memory 187 MiB before, see `tests/hostile/memory.rs` for
/// after. The number of arenas is left alone: capping it at 4 cost a fifth
/// of the directory intake's throughput (threads queueing on arena locks,
/// `benches/README.md`) and little memory.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters; it is called first
    // thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> std::process::ExitCode {
    tune_allocator();
    init_tracing();
    let cli = Cli::parse();
    let result = actix_web::rt::System::new().block_on(run(cli));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("frontline: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env(cli.serve.bind.clone(), &cli.serve.database_url)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config.clone()).await?;
            let host = config.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            println!("Frontline is serving on http://{host}:{} ({})", app.port(), config.database_url.redacted());
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Staff { action } => staff_command(&config, action).await,
        Command::Migrate => {
            frontline::startup::connect(&config).await?;
            println!("Migrations applied to {}", config.database_url.redacted());
            Ok(())
        }
    }
}
