//! The `cnasim` binary: see [`cnasim::cli`].

fn main() -> std::process::ExitCode {
    cnasim::cli::main()
}
