//! The command line: argument parsing and wiring only.

use crate::check::{self, CheckOptions, junit, report};
use crate::console::{self, Stream};
use crate::model::World;
use crate::output::{self, Meter, OutputFolder, Replace, write_atomically};
use crate::output::{LogDetail, LogFormat};
use crate::runner::{FolderOptions, run_to_folder_with};
use crate::scenario::set::GridKey;
use crate::scenario::{self, Overrides, Set};
use crate::sweep::{self, SweepOptions, grid::Shard};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for an expectation that does not hold.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "cnasim",
    version,
    about = "Deterministic simulator of the Exchange Calendar Notification Assistant under mailbox moves",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenarios under each policy, write their output folders and print
    /// the comparison table.
    Run(RunArgs),
    /// Run every scenario under the paths and evaluate its `expect:`
    /// assertions; exit 1 if any fails.
    Check(CheckArgs),
    /// Print the JSON Schema of the scenario format, for editors' YAML
    /// language servers (see the README).
    Schema,
    /// Check scenario files without running them, and show what a run of
    /// each would cost.
    Validate(ValidateArgs),
    /// Run a scenario under many seeds at every point of a grid of values,
    /// in parallel; write every run's metrics, their statistics per point
    /// and a chart to OUT/NAME.sweep/ (docs/sweep.md).
    #[command(
        override_usage = "cnasim sweep FILE [--seeds N] [--seed BASE] [--set KEY=V1,V2...]... \
                          [--jobs J] [--shard I/N] [--policy P]... [--metric M] [--out DIR] \
                          [--max-events N]\n       cnasim sweep --merge DIR... [--out DIR]"
    )]
    Sweep(SweepArgs),
    /// Read a support ticket's evidence (pasted PowerShell output, exported
    /// logs, trace lines) and say what it shows: the MailboxMoveStarted
    /// times and their drift, the SMS and the silences after each move
    /// event, and whether it is the KB3200823 pattern (docs/diagnose.md).
    Diagnose(DiagnoseArgs),
    /// Write a scenario that reproduces a ticket's evidence, to run under
    /// `legacy` and `fixed` (docs/diagnose.md).
    Import(ImportArgs),
}

/// How to read evidence files, shared by diagnose and import.
#[derive(clap::Args)]
struct EvidenceArgs {
    /// Evidence files: text with PowerShell output (Format-Table,
    /// Format-List), Export-Csv files, message tracking logs, trace lines,
    /// or cnasim's own output files; several blocks may share one file.
    #[arg(required = true, value_name = "EVIDENCE")]
    files: Vec<PathBuf>,
    /// The zone of times printed without one: an IANA name such as
    /// `America/Los_Angeles`.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    time_zone: String,
    /// For cnasim's own output files, which hold one set of rows per
    /// policy: the policy whose rows to read.
    #[arg(long, value_name = "P")]
    policy: Option<String>,
}

#[derive(clap::Args)]
struct DiagnoseArgs {
    #[command(flatten)]
    evidence: EvidenceArgs,
    /// `text` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::Args)]
struct ImportArgs {
    #[command(flatten)]
    evidence: EvidenceArgs,
    /// The scenario file to write. An existing file is replaced only if
    /// cnasim import wrote it.
    #[arg(long, value_name = "FILE.yaml")]
    out: PathBuf,
    /// The scenario's name. Default: the file name of --out.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The scenario's seed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Treat each meeting the evidence shows once (a lone SMS, a trace
    /// reminder line) as a daily meeting to the window's end: what a user
    /// with daily meetings would have lost.
    #[arg(long)]
    assume_daily: bool,
}

/// `--set KEY=VALUE`, shared by run, check and validate.
#[derive(clap::Args)]
struct SetArgs {
    /// Replace one value of the scenario before it is read: a dotted path
    /// into the file (a number indexes a list) and a YAML value written as
    /// in the file, e.g. `population.moves.incremental_sync_interval=2d` or
    /// `mailboxes.0.move.sync_duration={ uniform: [1m, 5m] }`. Repeat for
    /// several.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Set::flag)]
    sets: Vec<Set>,
}

#[derive(clap::Args)]
struct SweepArgs {
    /// The scenario file.
    #[arg(value_name = "FILE", required_unless_present = "merge")]
    file: Option<PathBuf>,
    /// Seeds per grid point: the runs of a point use BASE, BASE+1, ...,
    /// BASE+N-1. Default: the file's `sweep.seeds`, else 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    seeds: Option<u64>,
    /// The first seed (BASE). Default: the file's `seed`.
    #[arg(long, value_name = "BASE")]
    seed: Option<u64>,
    /// A key of the grid and its values, split on the commas outside
    /// brackets and quotes (`population.moves.complete_after=7d,14d`,
    /// `population.moves.sync_duration={ uniform: [1m, 5m] },10m`). It
    /// replaces the file's list for that key, or adds the key after the
    /// file's. Repeat for several.
    #[arg(long = "set", value_name = "KEY=V1,V2...", value_parser = sweep::grid::grid_flag)]
    sets: Vec<GridKey>,
    /// Runs at once. Default: the available parallelism. The output does not
    /// depend on it.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// Run only the runs whose index i has i % N == I-1, and write
    /// OUT/NAME.sweep-shard-I-of-N/, for --merge.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Run only these policies, in this order (built-in or defined in the
    /// scenario). Repeat for several.
    #[arg(long = "policy", value_name = "P")]
    policies: Vec<String>,
    /// The metric of the chart and the table. Default: the file's
    /// `sweep.metric`, else reminders_missed.
    #[arg(long, value_name = "M")]
    metric: Option<String>,
    /// Folder that receives NAME.sweep/ (or the shard's folder).
    #[arg(long, value_name = "DIR", default_value = "output")]
    out: PathBuf,
    /// Replace whatever is at the output folder's place (a folder cnasim
    /// did not write, a file, a link). Without it cnasim replaces only the
    /// folders it wrote; even with it, never one that holds an input.
    #[arg(long)]
    force: bool,
    /// Merge these shard folders into OUT/NAME.sweep/, the folder the sweep
    /// run whole would write.
    #[arg(
        long,
        value_name = "DIR",
        num_args = 1..,
        conflicts_with_all = [
            "file", "seeds", "seed", "sets", "jobs", "shard", "policies", "metric", "max_events"
        ]
    )]
    merge: Vec<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output: OutputLimitArgs,
}

/// The cap on a run's work, shared by every command that loads scenarios.
#[derive(clap::Args)]
struct LimitArgs {
    /// Most events a run may handle, summed over its policies (for a
    /// sweep, over all its runs). A scenario whose estimate is larger is
    /// refused before it runs; a policy's run that passes its share stops
    /// with exit code 2.
    #[arg(
        long,
        value_name = "N",
        default_value_t = scenario::DEFAULT_MAX_EVENTS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    max_events: u64,
}

/// The cap on what a command writes, shared by the commands that write
/// folders.
#[derive(clap::Args)]
struct OutputLimitArgs {
    /// Most bytes the command may write (a number, or with K, M, G or T:
    /// `500M`, `2G`, binary units). A scenario whose estimated output is
    /// larger is refused before it runs, at the key that writes the most;
    /// files that grow past it anyway stop the run with exit code 2.
    #[arg(
        long,
        value_name = "SIZE",
        default_value = "1G",
        value_parser = parse_size
    )]
    max_output: u64,
}

/// A size in bytes: digits, optionally followed by K, M, G or T (powers of
/// 1024), with or without `iB` or `B`. (`--max-output`'s default, `1G`, is
/// [`scenario::DEFAULT_MAX_OUTPUT`]; a test holds them together.)
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("expected a size such as 500M or 2G; found `{text}`")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!("expected a size from 1 byte to 16 EiB, such as 500M or 2G; found `{text}`")
        })
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Scenario files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Whose rows the run's event logs would hold, for its output estimate
    /// (as `cnasim run --logs`).
    #[arg(long, value_enum, default_value_t = Logs::Auto)]
    logs: Logs,
    /// The layout of the run's event logs, for its output estimate (as
    /// `cnasim run --log-format`).
    #[arg(long, value_enum, default_value_t = LogFormatArg::Csv)]
    log_format: LogFormatArg,
    #[command(flatten)]
    sets: SetArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output: OutputLimitArgs,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Folder that receives one subfolder per scenario.
    #[arg(long, value_name = "DIR", default_value = "output")]
    out: PathBuf,
    /// Replace the scenarios' seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Run only these policies, in this order (built-in or defined in the
    /// scenario). Repeat for several.
    #[arg(long = "policy", value_name = "P")]
    policies: Vec<String>,
    /// `text` prints the comparison table; `json` prints summary.json and
    /// nothing else.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Which mailboxes the event logs (database_events.csv,
    /// message_tracking.csv, admin_audit.csv, assistant_trace.log) cover:
    /// `all`, `followed` (the at most 100 mailboxes the timeline follows),
    /// or `auto`: all up to 1,000 simulated mailboxes (a population's SMS
    /// users and moved mailboxes), followed above.
    #[arg(long, value_enum, default_value_t = Logs::Auto)]
    logs: Logs,
    /// `csv`: the event logs as cnasim's CSV files. `exchange`: those, and
    /// for each policy its message tracking log (MSGTRK-<policy>.LOG) and
    /// admin audit log (admin_audit-<policy>.csv) as Exchange 2016 and
    /// Export-Csv write them, which `cnasim diagnose` and `cnasim import`
    /// read (times in UTC).
    #[arg(long, value_enum, default_value_t = LogFormatArg::Csv)]
    log_format: LogFormatArg,
    /// Print on stderr what each run cost: events handled, wall time,
    /// events per second, peak memory.
    #[arg(long)]
    stats: bool,
    /// Replace whatever is at the output folder's place (a folder cnasim
    /// did not write, a file, a link). Without it cnasim replaces only the
    /// folders it wrote; even with it, never one that holds an input.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    sets: SetArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output: OutputLimitArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Logs {
    Auto,
    All,
    Followed,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormatArg {
    Csv,
    Exchange,
}

impl From<LogFormatArg> for LogFormat {
    fn from(format: LogFormatArg) -> LogFormat {
        match format {
            LogFormatArg::Csv => LogFormat::Csv,
            LogFormatArg::Exchange => LogFormat::Exchange,
        }
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Scenario files, or folders searched (recursively, hidden entries
    /// skipped) for `*.yaml` and `*.yml`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Replace the scenarios' seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Check only these policies and their assertions. Repeat for several.
    #[arg(long = "policy", value_name = "P")]
    policies: Vec<String>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    #[command(flatten)]
    sets: SetArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with success, usage
            // errors to stderr; usage errors exit 2.
            let (stream, code) = if e.use_stderr() {
                (Stream::Err, ExitCode::from(EXIT_BAD_INPUT))
            } else {
                (Stream::Out, ExitCode::SUCCESS)
            };
            console::record(stream, e.print());
            return console::exit_code(code);
        }
    };
    if let Err(e) = crate::output::unfinished::remove_on_interrupt() {
        console::err_line(&format!("error: cannot install the interrupt handler: {e}"));
        return console::exit_code(ExitCode::from(EXIT_BAD_INPUT));
    }
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Schema => {
            console::out(&scenario::schema::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(args) => validate(&args),
        Command::Sweep(args) => run_sweep(args),
        Command::Diagnose(args) => diagnose(&args),
        Command::Import(args) => import(&args),
    };
    let code = match result {
        Ok(code) => code,
        Err(message) => {
            console::err_line(&format!("error: {message}"));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    };
    console::exit_code(code)
}

/// Loads every file first, so that one bad file stops the run before
/// anything is written; reports every bad file.
fn load_all(files: &[PathBuf], overrides: &Overrides) -> Result<Vec<World>, String> {
    let worlds = scenario::load_all(files, overrides).map_err(joined)?;
    for (i, world) in worlds.iter().enumerate() {
        if let Some(other) = worlds[..i].iter().position(|w| w.name == world.name) {
            return Err(format!(
                "{} and {} both name their scenario `{}`; their output folders would collide",
                files[other].display(),
                files[i].display(),
                world.name
            ));
        }
    }
    Ok(worlds)
}

/// Several errors as one message, each on its own `error:` line.
fn joined(errors: Vec<scenario::ScenarioError>) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: ")
}

/// `--logs` as the output module names it (`None`: auto).
fn log_detail(logs: Logs) -> Option<LogDetail> {
    match logs {
        Logs::Auto => None,
        Logs::All => Some(LogDetail::All),
        Logs::Followed => Some(LogDetail::Followed),
    }
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let logs = log_detail(args.logs);
    let overrides = Overrides {
        seed: args.seed,
        max_events: Some(args.limits.max_events),
        max_output: Some(args.output.max_output),
        writes: scenario::Writes::Folder(logs, args.log_format.into()),
        policies: scenario::PolicyChoice::only(&args.policies),
        sets: args.sets.sets.clone(),
    };
    // The wall clock only measures the tool for the user (`--stats`).
    #[allow(clippy::disallowed_methods)]
    let loading = std::time::Instant::now();
    let worlds = load_all(&args.files, &overrides)?;
    let loaded = loading.elapsed();
    // Each scenario fits --max-output; together they must too.
    let written: u64 = worlds.iter().fold(0, |sum, w| sum.saturating_add(w.estimate.output_bytes));
    if written > args.output.max_output {
        return Err(format!(
            "these {} scenarios would write about {} in all, more than --max-output {} allows: \
             run them one at a time, or raise --max-output",
            worlds.len(),
            scenario::bytes_text(written),
            scenario::bytes_text(args.output.max_output)
        ));
    }
    let options = FolderOptions {
        logs,
        log_format: args.log_format.into(),
        meter: Meter::new(args.output.max_output),
    };
    // Every folder's place is checked (and --out shown writable) before
    // the first run, so that an --out that cannot be written, or a folder
    // that may not be replaced, stops the command before any work.
    let replace = Replace { force: args.force, inputs: args.files.clone() };
    let names: Vec<&str> = worlds.iter().map(|w| w.name.as_str()).collect();
    let mut prepared =
        output::folder::prepare(&args.out, &names, &replace).map_err(|e| e.to_string())?;
    for note in &prepared.notes {
        console::err_line(&format!("note: {note}"));
    }
    for world in &worlds {
        let folder =
            OutputFolder::create(&args.out, &world.name, &replace).map_err(|e| e.to_string())?;
        // The wall clock only measures the tool for the user; it never
        // reaches the simulation or its outputs.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let run = run_to_folder_with(world, folder, &options).map_err(|e| e.to_string())?;
        if run.folder.is_some() {
            prepared.keep_folders();
        }
        let elapsed = started.elapsed();
        if args.stats {
            console::err_line(&stats_line(world, &run, loaded, elapsed));
        }
        match args.format {
            Format::Text => console::out(&run.table(world)),
            Format::Json => console::out(&run.summary(world).to_json()),
        }
        if let Some(folder) = &run.folder {
            console::err_line(&format!(
                "wrote {}/ ({}) in {:.0} ms",
                folder.display(),
                check::report::plural(run.results.len(), "policy", "policies"),
                elapsed.as_secs_f64() * 1000.0
            ));
        }
        if args.format == Format::Text && worlds.len() > 1 {
            console::out("\n");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `--stats` prints for one scenario: the events its policies handled
/// (everything counted against `--max-events`: happenings, background
/// arrivals, quiet mailboxes' events), the wall time of loading all files
/// (reading, generating populations, validating) and of running this one
/// (planning, simulating, writing), events per second of the latter, and
/// the process's peak memory so far.
fn stats_line(
    world: &World,
    run: &crate::runner::ScenarioRun,
    loaded: std::time::Duration,
    elapsed: std::time::Duration,
) -> String {
    let per_policy: Vec<String> = run
        .results
        .iter()
        .map(|r| format!("{} {}", r.policy.name, r.outcome.events_handled))
        .collect();
    let events: u64 = run.results.iter().map(|r| r.outcome.events_handled).sum();
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { events as f64 / seconds / 1e6 } else { 0.0 };
    let memory = peak_memory_mib().map_or(String::new(), |m| format!("; peak memory {m} MiB"));
    let logs = run.logs.map_or("", |l| l.as_str());
    format!(
        "stats {}: {} mailboxes ({} built), {} databases; all files loaded in {:.0} ms; {events} events \
         ({}) run and written in {:.0} ms, {rate:.1} million events/s; logs: {logs}{memory}",
        world.name,
        world.mailbox_count(),
        world.mailboxes.len(),
        world.databases.len(),
        loaded.as_secs_f64() * 1000.0,
        per_policy.join(", "),
        seconds * 1000.0,
    )
}

/// The process's peak resident memory in MiB, where the system says
/// (`VmHWM` in Linux's /proc/self/status).
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn check(args: CheckArgs) -> Result<ExitCode, String> {
    if let Some(file) = &args.junit {
        junit::check_target(file, &args.paths)?;
    }
    let write_junit = |xml: Result<String, quick_junit::SerializeError>| -> Result<(), String> {
        let Some(file) = &args.junit else { return Ok(()) };
        let xml = xml.map_err(|e| format!("cannot write JUnit XML: {e}"))?;
        write_atomically(file, xml.as_bytes())
            .map_err(|e| format!("cannot write {}: {}", file.display(), console::os_reason(&e)))
    };
    let options = CheckOptions {
        seed: args.seed,
        policies: args.policies.clone(),
        max_events: Some(args.limits.max_events),
        sets: args.sets.sets.iter().map(scenario::set::Set::argument).collect(),
    };
    let files = match load_checked(&args.paths, &options, &args.sets.sets) {
        Ok(files) => files,
        Err(errors) => {
            for e in &errors {
                console::err_line(&format!("error: {e}"));
            }
            // The report says why nothing ran, rather than leaving an
            // older one in place.
            write_junit(junit::render_input_errors(&errors))?;
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    // Every bad file is said first, as `run` and `validate` say it; the
    // report then has an error line for it among the others.
    for bad in files.iter().filter_map(|f| f.as_ref().err()) {
        console::err_line(&format!("error: {}", bad.error));
    }
    let ran = files.iter().any(Result::is_ok);
    // The wall clock only measures the tool for the user.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let mut checks = Vec::with_capacity(files.len());
    for file in files {
        let checked = check::check_file(file, &options);
        console::out(&report::file_lines(&checked));
        checks.push(checked);
    }
    console::out(&report::summary(&checks));
    write_junit(junit::render(&checks))?;
    if ran {
        console::err_line(&format!(
            "checked in {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }
    let totals = report::Totals::of(&checks);
    Ok(if totals.errors > 0 || totals.invalid > 0 {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if totals.failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Finds and loads every file to check, each a scenario or why it is not
/// one; or what stops the whole check (a path that cannot be searched, a
/// `--policy` that no valid scenario runs), with every file that is not
/// valid, which may be why.
fn load_checked(
    paths: &[PathBuf],
    options: &CheckOptions,
    sets: &[Set],
) -> Result<Vec<check::Loaded>, Vec<String>> {
    let files = check::discover(paths).map_err(|e| vec![e])?;
    let overrides = Overrides {
        seed: options.seed,
        max_events: options.max_events,
        policies: scenario::PolicyChoice::keep(&options.policies),
        sets: sets.to_vec(),
        ..Overrides::default()
    };
    let files = check::load(files, &overrides);
    if let Err(e) = check::check_policy_names(&files, &options.policies) {
        let mut errors: Vec<String> = files
            .iter()
            .filter_map(|f| f.as_ref().err())
            .map(|bad| bad.error.to_string())
            .collect();
        errors.push(e);
        return Err(errors);
    }
    Ok(files)
}

fn validate(args: &ValidateArgs) -> Result<ExitCode, String> {
    let overrides = Overrides {
        max_events: Some(args.limits.max_events),
        max_output: Some(args.output.max_output),
        writes: scenario::Writes::Folder(log_detail(args.logs), args.log_format.into()),
        sets: args.sets.sets.clone(),
        ..Overrides::default()
    };
    let mut failed = 0;
    for path in &args.files {
        match scenario::load_with(path, &overrides).map_err(|e| e.to_string()).and_then(|world| {
            // A file with a `sweep:` key is checked as `cnasim sweep FILE`
            // would check it, limits included. With --set, what is checked
            // is the run `cnasim run FILE --set ...` makes (a sweep reads
            // the file as written first, which the values may mend).
            if !args.sets.sets.is_empty() {
                return Ok((world, None));
            }
            let options = SweepOptions {
                jobs: default_jobs(),
                max_events: args.limits.max_events,
                max_output: args.output.max_output,
                ..SweepOptions::new(path.clone())
            };
            let sweep = sweep::cost(&options).map_err(|e| match e {
                sweep::SweepError::Scenario(_) | sweep::SweepError::Point { .. } => e.to_string(),
                other => format!("{}: its sweep: {other}", path.display()),
            })?;
            Ok((world, sweep.map(|cost| (cost, options.jobs))))
        }) {
            Ok((world, sweep)) => console::out(&format!(
                "ok {}: scenario `{}`, {}, {} database(s), policies {}; a run handles at \
                 most about {} events ({} per policy), keeps about {} and writes about {}{}\n",
                path.display(),
                world.name,
                match world.population {
                    None => format!("{} mailbox(es)", world.mailboxes.len()),
                    Some(p) => format!(
                        "{} mailbox(es) ({} generated, of which {} SMS users and {} moved; {} \
                         built)",
                        world.mailbox_count(),
                        p.mailboxes,
                        p.sms_users,
                        p.moved,
                        p.materialized
                    ),
                },
                world.databases.len(),
                world.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
                world.estimate.total_events(),
                world.estimate.events,
                scenario::bytes_text(world.estimate.memory_bytes),
                scenario::bytes_text(world.estimate.output_bytes),
                sweep.map_or(String::new(), |(c, jobs)| format!(
                    "; its sweep runs {} runs, handles at most about {} events, keeps about {} \
                     ({jobs} runs at once) and writes about {}",
                    c.runs,
                    c.events,
                    scenario::bytes_text(c.memory),
                    scenario::bytes_text(c.output)
                )),
            )),
            Err(e) => {
                failed += 1;
                console::err_line(&format!("error: {e}"));
            }
        }
    }
    if failed > 0 {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs at once by default: the available parallelism.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn run_sweep(args: SweepArgs) -> Result<ExitCode, String> {
    // The wall clock only measures the tool for the user, on stderr.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let written = if args.merge.is_empty() {
        let Some(file) = args.file else {
            return Err("give a scenario file, or --merge DIR...".into());
        };
        let jobs = args.jobs.map_or_else(default_jobs, usize::from);
        let options = SweepOptions {
            file,
            seeds: args.seeds,
            seed: args.seed,
            sets: args.sets,
            jobs,
            shard: args.shard,
            policies: args.policies,
            metric: args.metric,
            out: args.out,
            max_events: args.limits.max_events,
            max_output: args.output.max_output,
            progress: true,
            force: args.force,
        };
        sweep::sweep(&options)
    } else {
        sweep::merge(&args.merge, &args.out, args.force, args.output.max_output)
    }
    .map_err(|e| e.to_string())?;
    for note in &written.notes {
        console::err_line(&format!("note: {note}"));
    }
    if let Some(table) = &written.table {
        console::out(table);
    }
    let m = &written.manifest;
    let runs = match m.shard {
        Some(shard) => format!("{} of {} runs, shard {shard}", written.runs, m.runs),
        None => format!("{} runs", written.runs),
    };
    console::err_line(&format!(
        "wrote {}/ ({runs}, {}) in {:.0} ms",
        written.folder.display(),
        check::report::plural(m.policies.len(), "policy", "policies"),
        started.elapsed().as_secs_f64() * 1000.0
    ));
    Ok(ExitCode::SUCCESS)
}

/// Reads and diagnoses the evidence; every unreadable file is reported.
fn read_evidence(args: &EvidenceArgs) -> Result<crate::diagnosis::Diagnosis, String> {
    let clock = crate::evidence::clock::Clock::for_zone(&args.time_zone)
        .map_err(|e| format!("--time-zone: {e}"))?;
    let options = crate::evidence::ReadOptions { clock, policy: args.policy.clone() };
    let evidence = crate::evidence::read(&args.files, &options).map_err(joined)?;
    Ok(crate::diagnosis::diagnose(evidence))
}

fn diagnose(args: &DiagnoseArgs) -> Result<ExitCode, String> {
    let d = read_evidence(&args.evidence)?;
    match args.format {
        Format::Text => console::out(&crate::diagnosis::render::text(&d)),
        Format::Json => console::out(&format!("{}\n", crate::diagnosis::render::json(&d))),
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of every scenario `cnasim import` writes: an existing
/// file is replaced only if it starts so.
const IMPORT_MARK: &str = "# Written by cnasim import";

fn import(args: &ImportArgs) -> Result<ExitCode, String> {
    let out = &args.out;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => scenario_name_from(out),
    };
    if name.is_empty()
        || name.len() > 64
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || name.starts_with('-')
    {
        return Err(format!(
            "--name `{}`: expected lower-case letters, digits and `-`, at most 64",
            name.escape_debug()
        ));
    }
    match std::fs::symlink_metadata(out) {
        Ok(meta) => {
            let ours = meta.is_file()
                && std::fs::read(out).is_ok_and(|b| b.starts_with(IMPORT_MARK.as_bytes()));
            if !ours {
                return Err(format!(
                    "{} exists and cnasim import did not write it; name another --out (nothing was written)",
                    out.display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: {}", out.display(), console::os_reason(&e))),
    }
    for f in &args.evidence.files {
        if std::fs::canonicalize(f)
            .ok()
            .zip(std::fs::canonicalize(out).ok())
            .is_some_and(|(a, b)| a == b)
        {
            return Err(format!(
                "--out {} is one of the evidence files; name another",
                out.display()
            ));
        }
    }
    let d = read_evidence(&args.evidence)?;
    let imported = crate::import::scenario(
        &d,
        &crate::import::ImportOptions { name, seed: args.seed, assume_daily: args.assume_daily },
    )?;
    write_atomically(out, imported.yaml.as_bytes())
        .map_err(|e| format!("cannot write {}: {}", out.display(), console::os_reason(&e)))?;
    console::out(&format!(
        "wrote {}: {} mailbox{}, {} MailboxMoveStarted events reproduced to the millisecond; run it with: {}\n",
        out.display(),
        imported.mailboxes,
        if imported.mailboxes == 1 { "" } else { "es" },
        imported.move_started,
        crate::check::shell_command(&["cnasim".into(), "run".into(), out.display().to_string()])
    ));
    Ok(ExitCode::SUCCESS)
}

/// A scenario name from a file name: lower case, runs of other characters
/// as one `-`.
fn scenario_name_from(path: &std::path::Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').chars().take(64).collect::<String>();
    if name.is_empty() { "imported".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("1G"), Ok(scenario::DEFAULT_MAX_OUTPUT));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("10k"), Ok(10 << 10));
        assert_eq!(parse_size("123"), Ok(123));
        for bad in ["", "0", "G", "1.5G", "-1", "1X", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
