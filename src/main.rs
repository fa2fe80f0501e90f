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
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

fn main() -> std::process::ExitCode {
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
        Command::Migrate => {
            frontline::connect(&config).await?;
            println!("Migrations applied to {}", config.database_url.redacted());
            Ok(())
        }
    }
}
