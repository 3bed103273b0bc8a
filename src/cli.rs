//! The command line: argument parsing and wiring only.

use crate::check::{self, CheckOptions, junit, report};
use crate::model::Policy;
use crate::model::World;
use crate::output::write_atomically;
use crate::runner::run_to_folder;
use crate::scenario::{self, Overrides, Set};
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

/// The cap on a run's work, shared by every command that loads scenarios.
#[derive(clap::Args)]
struct LimitArgs {
    /// Most events one policy's run may handle. A scenario whose estimate
    /// is larger is refused before it runs; a run that reaches the cap
    /// stops with exit code 2.
    #[arg(
        long,
        value_name = "N",
        default_value_t = scenario::DEFAULT_MAX_EVENTS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    max_events: u64,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Scenario files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    sets: SetArgs,
    #[command(flatten)]
    limits: LimitArgs,
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
    #[command(flatten)]
    sets: SetArgs,
    #[command(flatten)]
    limits: LimitArgs,
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
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(EXIT_BAD_INPUT) } else { ExitCode::SUCCESS };
        }
    };
    if let Err(e) = crate::output::unfinished::remove_on_interrupt() {
        eprintln!("error: cannot install the interrupt handler: {e}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Schema => {
            print!("{}", scenario::schema::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(args) => validate(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
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

/// The policies `names` picks from the scenario's and the built-in ones.
fn select_policies(world: &World, names: &[String]) -> Result<Vec<Policy>, String> {
    let mut chosen: Vec<Policy> = Vec::with_capacity(names.len());
    for name in names {
        let policy = world
            .policies
            .iter()
            .find(|p| &p.name == name)
            .cloned()
            .or_else(|| Policy::preset(name))
            .ok_or_else(|| {
                let mut known: Vec<String> =
                    world.policies.iter().map(|p| p.name.clone()).collect();
                for preset in crate::model::policy::PRESET_NAMES {
                    if !known.iter().any(|k| k == preset) {
                        known.push(preset.to_string());
                    }
                }
                format!(
                    "--policy {name}: scenario `{}` has no such policy; choose from {}",
                    world.name,
                    known.join(", ")
                )
            })?;
        if !chosen.iter().any(|p| p.name == policy.name) {
            chosen.push(policy);
        }
    }
    Ok(chosen)
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let overrides = Overrides {
        seed: args.seed,
        max_events: Some(args.limits.max_events),
        sets: args.sets.sets.clone(),
    };
    let mut worlds = load_all(&args.files, &overrides)?;
    if !args.policies.is_empty() {
        for world in &mut worlds {
            world.policies = select_policies(world, &args.policies)?;
        }
    }
    for world in &worlds {
        // The wall clock only measures the tool for the user; it never
        // reaches the simulation or its outputs.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let run = run_to_folder(world, &args.out).map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        match args.format {
            Format::Text => print!("{}", run.table(world)),
            Format::Json => print!("{}", run.summary(world).to_json()),
        }
        if let Some(folder) = &run.folder {
            eprintln!(
                "wrote {}/ ({} policies) in {:.0} ms",
                folder.display(),
                run.results.len(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
        if args.format == Format::Text && worlds.len() > 1 {
            println!();
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode, String> {
    if let Some(file) = &args.junit {
        junit::check_target(file, &args.paths)?;
    }
    let write_junit = |xml: Result<String, quick_junit::SerializeError>| -> Result<(), String> {
        let Some(file) = &args.junit else { return Ok(()) };
        let xml = xml.map_err(|e| format!("cannot write JUnit XML: {e}"))?;
        write_atomically(file, xml.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", file.display()))
    };
    let options = CheckOptions {
        seed: args.seed,
        policies: args.policies.clone(),
        max_events: Some(args.limits.max_events),
    };
    let worlds = match load_checked(&args.paths, &options, &args.sets.sets) {
        Ok(worlds) => worlds,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            // The report says why nothing ran, rather than leaving an
            // older one in place.
            write_junit(junit::render_input_errors(&errors))?;
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    // The wall clock only measures the tool for the user.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let mut checks = Vec::with_capacity(worlds.len());
    for (path, world) in &worlds {
        let checked = check::check_scenario(path, world, &options);
        print!("{}", report::scenario_lines(&checked));
        checks.push(checked);
    }
    print!("{}", report::summary(&checks));
    write_junit(junit::render(&checks))?;
    eprintln!("checked in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    let totals = report::Totals::of(&checks);
    Ok(if totals.errors > 0 {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if totals.failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Finds and loads every scenario to check, or says everything that is
/// wrong with them.
fn load_checked(
    paths: &[PathBuf],
    options: &CheckOptions,
    sets: &[Set],
) -> Result<Vec<(PathBuf, World)>, Vec<String>> {
    let files = check::discover(paths).map_err(|e| vec![e])?;
    let overrides =
        Overrides { seed: options.seed, max_events: options.max_events, sets: sets.to_vec() };
    let worlds = scenario::load_all(&files, &overrides)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let worlds: Vec<(PathBuf, World)> = files.into_iter().zip(worlds).collect();
    check::check_policy_names(&worlds, &options.policies).map_err(|e| vec![e])?;
    Ok(worlds)
}

fn validate(args: &ValidateArgs) -> Result<ExitCode, String> {
    let overrides = Overrides {
        seed: None,
        max_events: Some(args.limits.max_events),
        sets: args.sets.sets.clone(),
    };
    let mut failed = 0;
    for path in &args.files {
        match scenario::load_with(path, &overrides) {
            Ok(world) => println!(
                "ok {}: scenario `{}`, {} mailbox(es), {} database(s), policies {}; \
                 about {} events per policy ({})",
                path.display(),
                world.name,
                world.mailboxes.len(),
                world.databases.len(),
                world.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
                world.estimate.events,
                world.estimate.memory_text(),
            ),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if failed > 0 {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    Ok(ExitCode::SUCCESS)
}
