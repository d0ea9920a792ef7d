//! The `wrapcare` binary: serve the web application and API, migrate the
//! database, manage users and tokens, load the demo.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use wrapcare_app::admin::UserRef;
use wrapcare_app::demo::DEFAULT_DEMO_PASSWORD;
use wrapcare_app::{App, AppError, Config};
use wrapcare_store::Store;
use wrapcare_store::access_log::{Fault, Head, Verdict};

// Pages are built from many small strings: with mimalloc instead of glibc's
// allocator the family routes serve a fifth to a third more requests
// (BENCHMARKS.md, 2026-12-02, fourth session).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps the kernel from backing mimalloc's large aligned regions with
/// transparent huge pages, where a touched 4 KiB becomes 2 MiB of resident
/// memory: 30 MB more under load on a machine with THP "always".
/// And has mimalloc hand freed pages back at once rather than 10 ms later,
/// which under load kept 10 MB more resident for no measurable gain.
fn with_memory_given_back() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory
    // of ours; it only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // mimalloc's `mi_option_purge_delay` (mimalloc.h; options keep their
    // numbers across versions, retired ones stay as placeholders).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one of mimalloc's options, a plain integer it reads when
    // it next considers purging.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "wrapcare",
    version,
    about = "Wraparound Care for youth-care teams"
)]
struct Cli {
    /// Directory for the SQLite database (used when no database URL is given).
    #[arg(
        long,
        global = true,
        default_value = "./wrapcare-data",
        env = "WRAPCARE_DATA_DIR"
    )]
    data_dir: PathBuf,
    /// Database URL, e.g. postgres://user@host/db; without it the SQLite file in the data directory is used.
    #[arg(
        long,
        global = true,
        env = "WRAPCARE_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve pages and API.
    Serve(ServeArgs),
    /// Bring the database schema up to date.
    Migrate,
    /// Load the demo data into an empty database.
    Demo {
        /// Generate each team's families this many times over (numbered
        /// surnames): a larger set for load tests.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=200))]
        scale: u16,
    },
    /// Manage logins.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import data from providers' systems.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check the access log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the access log's hash chain and name the first entry that was
    /// altered, removed or put in between. Exits 1 when the chain is broken.
    Verify {
        /// A head printed earlier by `audit head` (ID:HASH): it must still be
        /// in the chain, so entries cut off the end are found too.
        #[arg(long, value_name = "ID:HASH")]
        head: Option<String>,
    },
    /// Print the chain's last entry as ID:HASH, to keep outside the database.
    Head,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Module starts, stops and delivered units as CSV (header
    /// provider,module,reference,event,date,units,reason). All or nothing:
    /// every bad line is reported and then nothing is stored.
    Modules {
        /// The CSV file.
        file: PathBuf,
        /// E-mail of the admin or supervisor on whose behalf the import runs (logged).
        #[arg(long = "as", value_name = "EMAIL", env = "WRAPCARE_IMPORT_AS")]
        as_user: String,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Load demo data into an empty database (and reuse it on later runs).
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure (when served behind HTTPS).
    #[arg(long, env = "WRAPCARE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Failed logins allowed per account per minute; then it is locked for the rest of it.
    #[arg(long, env = "WRAPCARE_LOGIN_ATTEMPTS_PER_MINUTE", default_value_t = 5)]
    login_attempts_per_minute: u32,
    /// Login attempts allowed per client address per minute, whichever accounts.
    #[arg(
        long,
        env = "WRAPCARE_LOGIN_ATTEMPTS_PER_ADDRESS",
        default_value_t = 30
    )]
    login_attempts_per_address: u32,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "WRAPCARE_SESSION_IDLE_MINUTES", default_value_t = 30)]
    session_idle_minutes: i64,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a login; the password is read from standard input or asked for.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, supervisor, coordinator, intake or analyst.
        #[arg(long)]
        role: String,
        /// Team name (supervisors and coordinators).
        #[arg(long)]
        team: Option<String>,
    },
    /// Deactivate a login; its sessions and tokens end.
    Deactivate {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token; it is printed once.
    Create {
        #[arg(long)]
        email: String,
    },
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::io::stderr().is_terminal() {
        builder.init();
    } else {
        builder.json().init();
    }
}

async fn open(cli: &Cli) -> Result<Store> {
    let store = match &cli.database_url {
        Some(url) => Store::connect(url).await,
        None => Store::open_data_dir(&cli.data_dir).await,
    }
    .context("opening the database")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// Explains a refused command by field, as the user typed it.
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(invalid) => {
            let lines: Vec<String> = invalid
                .0
                .iter()
                .map(|f| format!("  --{}: {}", f.field.replace('_', "-"), describe(f.key)))
                .collect();
            anyhow::anyhow!("refused:\n{}", lines.join("\n"))
        }
        AppError::NotFound => anyhow::anyhow!("no active user with that e-mail address"),
        other => anyhow::anyhow!("{other}"),
    }
}

fn describe(key: &str) -> &'static str {
    match key {
        "error-email" => "not a valid e-mail address",
        "error-email-taken" => "already in use",
        "error-required" => "required",
        "error-choose-option" => "not one of admin, supervisor, coordinator, intake, analyst",
        "error-password-short" => "at least 12 characters",
        "error-unknown-team" => "no team by that name",
        "error-team-required" => "supervisors and coordinators need a team",
        _ => "refused",
    }
}

fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Again: ")?;
        if first != second {
            bail!("the passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    with_memory_given_back();
    init_tracing();
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve(args) => {
            let store = open(&cli).await?;
            let config = Config {
                login_attempts_per_minute: args.login_attempts_per_minute.max(1),
                login_attempts_per_address_per_minute: args.login_attempts_per_address.max(1),
                session_idle_minutes: args.session_idle_minutes.max(1),
                ..Config::default()
            };
            let app = App::new(store, config);
            if args.demo {
                load_demo(&app, 1).await?;
            }
            let state = wrapcare_web::AppState::new(app, args.secure_cookies);
            tracing::info!(addr = %args.addr, "serving");
            println!("wrapcare listens on http://{}", args.addr);
            wrapcare_web::serve(state, args.addr)
                .await
                .context("serving")?;
        }
        Command::Migrate => {
            open(&cli).await?;
            println!("database is up to date");
        }
        Command::Demo { scale } => {
            let app = App::new(open(&cli).await?, Config::default());
            load_demo(&app, usize::from(*scale)).await?;
        }
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            team,
        }) => {
            let app = App::new(open(&cli).await?, Config::default());
            let team_id = match team {
                Some(t) => Some(app.team_by_name(t).await.map_err(explain)?),
                None => None,
            };
            let password = read_password()?;
            let id = app
                .add_user(email, name, role, team_id, &password)
                .await
                .map_err(explain)?;
            println!("user {id} added: {email}");
        }
        Command::User(UserCommand::Deactivate { email }) => {
            let app = App::new(open(&cli).await?, Config::default());
            app.deactivate_user(None, UserRef::Email(email))
                .await
                .map_err(explain)?;
            println!("user deactivated: {email}");
        }
        Command::Import(ImportCommand::Modules { file, as_user }) => {
            let app = App::new(open(&cli).await?, Config::default());
            import_modules(&app, file, as_user).await?;
        }
        Command::Audit(AuditCommand::Verify { head }) => {
            let anchor = head.as_deref().map(parse_head).transpose()?;
            let app = App::new(open(&cli).await?, Config::default());
            return verify_access_log(&app, anchor.as_ref()).await;
        }
        Command::Audit(AuditCommand::Head) => {
            let app = App::new(open(&cli).await?, Config::default());
            match app.access_log_head().await.map_err(explain)? {
                Some(head) => println!("{}:{}", head.id, head.hash),
                None => println!("the access log is empty"),
            }
        }
        Command::Token(TokenCommand::Create { email }) => {
            let app = App::new(open(&cli).await?, Config::default());
            let token = app.create_token(email).await.map_err(explain)?;
            println!("{token}");
            eprintln!("This token is shown once. Keep it secret; it acts as {email}.");
        }
    }
    Ok(())
}

fn parse_head(text: &str) -> Result<Head> {
    let (id, hash) = text.trim().split_once(':').ok_or_else(|| {
        anyhow::anyhow!("--head: expected ID:HASH as printed by `wrapcare audit head`")
    })?;
    let id = id
        .parse()
        .map_err(|_| anyhow::anyhow!("--head: {id:?} is not an entry number"))?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        anyhow::bail!("--head: the hash must be 64 hexadecimal characters");
    }
    Ok(Head {
        id,
        hash: hash.to_ascii_lowercase(),
    })
}

/// Walks the chain with a progress bar; a broken chain is an error (exit 1).
async fn verify_access_log(app: &App, anchor: Option<&Head>) -> Result<()> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} entries {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = {
        let bar = bar.clone();
        move |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let verdict = app.verify_access_log(anchor, &progress).await;
    bar.finish_and_clear();
    match verdict.map_err(explain)? {
        Verdict::Intact {
            entries,
            unsealed,
            head,
        } => {
            print!("access log intact: {entries} entries");
            if unsealed > 0 {
                print!(" ({unsealed} from before the chain, which cannot be checked)");
            }
            match head {
                Some(h) => println!("; head {}:{}", h.id, h.hash),
                None => println!(),
            }
            Ok(())
        }
        Verdict::Broken { id, fault } => {
            let what = match fault {
                Fault::Altered => {
                    format!("entry {id} was altered: its fields no longer give its hash")
                }
                Fault::Removed { after } => {
                    format!(
                        "entries between {after} and {id} were removed: entry {id} links to one that is gone"
                    )
                }
                Fault::Inserted => {
                    format!("entry {id} was put in between: the entry after it links past it")
                }
                Fault::Unsealed => {
                    format!("entry {id} has no hash, though the chain began before it")
                }
                Fault::HeadMissing => {
                    format!(
                        "the exported head, entry {id}, is not in the chain as it was (entries were removed or rewritten)"
                    )
                }
            };
            anyhow::bail!("access log broken: {what}")
        }
    }
}

async fn load_demo(app: &App, scale: usize) -> Result<()> {
    let password = std::env::var("WRAPCARE_DEMO_PASSWORD")
        .unwrap_or_else(|_| DEFAULT_DEMO_PASSWORD.to_string());
    match app
        .load_demo_scaled(&password, scale)
        .await
        .map_err(explain)?
    {
        Some(summary) => {
            println!(
                "Demo loaded: {} families. Logins (password: {password}):",
                summary.families
            );
            for login in summary.logins {
                println!(
                    "  {:<34} {:<12} {}",
                    login.email,
                    login.role.as_str(),
                    login.name
                );
            }
        }
        None => println!(
            "The database already has data; the demo is not loaded again. Demo logins use the password they were created with."
        ),
    }
    Ok(())
}

/// Imports a provider's module CSV with a progress bar; refusals are listed by
/// line and column, in English, from the same catalogue as the pages.
async fn import_modules(app: &App, file: &std::path::Path, as_user: &str) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {} (a UTF-8 CSV file)", file.display()))?;
    let actor = app
        .cli_actor(as_user)
        .await
        .map_err(|_| anyhow::anyhow!("--as: no active user {as_user}"))?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} lines {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = {
        let bar = bar.clone();
        move |done: usize, total: usize| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let result = app.import_modules(&actor, &text, &progress).await;
    bar.finish_and_clear();
    match result {
        Ok(report) => {
            println!(
                "imported {} lines: {} started, {} stopped, {} deliveries, {} families",
                report.lines, report.started, report.stopped, report.deliveries, report.families
            );
            Ok(())
        }
        Err(AppError::Invalid(invalid)) => {
            let i18n = wrapcare_web::i18n::I18n::load();
            let lines: Vec<String> = invalid
                .0
                .iter()
                .map(|f| {
                    let message = i18n.t(wrapcare_web::i18n::Lang::En, f.key);
                    match wrapcare_app::import::split_field(&f.field) {
                        Some((line, column)) => format!("  line {line}, {column}: {message}"),
                        None => format!("  {}: {message}", f.field),
                    }
                })
                .collect();
            bail!(
                "nothing was imported; {} problem(s):\n{}",
                lines.len(),
                lines.join("\n")
            )
        }
        Err(AppError::Forbidden) => {
            bail!("--as: {as_user} may not import (admins and supervisors may)")
        }
        Err(other) => Err(explain(other)),
    }
}
