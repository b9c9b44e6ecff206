//! The `mag-tracker` binary: parses the command line and hands over to [`mag_tracker::cli`].
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    mag_tracker::cli::main()
}
